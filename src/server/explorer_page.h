// Internal: the ledger explorer's page (docs/explorer.md), compiled into the program: static
// HTML, CSS and JavaScript with no third-party code and nothing loaded from elsewhere. The
// script reads the explorer's /api/* and the log's API passed through under /log/, and checks
// inclusion proofs and checkpoint signatures itself with WebCrypto (SHA-256, Ed25519).
#ifndef VOUCH_SERVER_EXPLORER_PAGE_H_
#define VOUCH_SERVER_EXPLORER_PAGE_H_

#include <string_view>

namespace vouch::server::explorer {

extern const std::string_view kIndexHtml;
extern const std::string_view kScript;
extern const std::string_view kStyle;

}  // namespace vouch::server::explorer

#endif  // VOUCH_SERVER_EXPLORER_PAGE_H_
