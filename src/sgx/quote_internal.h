// Internal to sgx/: the error constructors and header checks that the SGX (quote.cc) and TDX
// (td_quote.cc) quote parsers share, so both report the same reasons in the same words.
#ifndef VOUCH_SGX_QUOTE_INTERNAL_H_
#define VOUCH_SGX_QUOTE_INTERNAL_H_

#include <string>

#include "vouch/sgx/quote.h"
#include "vouch/sgx/reasons.h"

namespace vouch::sgx::internal {

using reasons::kQuoteMalformed;
using reasons::kQuoteUnsupported;
using reasons::kQuoteWrongTee;

// kInvalidArgument, reason quote_malformed / quote_unsupported / quote_wrong_tee, with the
// message prefixed by what kind of problem it is.
Status QuoteMalformed(const std::string& message);
Status QuoteUnsupported(const std::string& message);
Status QuoteWrongTee(const std::string& message);

// The checks every supported quote shares (§4.1 step 1): attestation key type 2 (ECDSA-256 with
// P-256) and Intel's QE vendor ID.
Status CheckKeyTypeAndVendor(const QuoteHeader& header);

// "0x00000081".
std::string TeeTypeHex(uint32_t tee_type);

}  // namespace vouch::sgx::internal

#endif  // VOUCH_SGX_QUOTE_INTERNAL_H_
