// Plain-language hints for constraint errors (docs/constraints.md, "Hints").
//
// Conclave's messages are the compatibility contract (spec/constraint-dsl.md §4.2) and stay
// exactly as they are; several of them speak Java ("No enum constant com.r3.conclave...",
// "Text cannot be parsed to a Period", "For input string: ..."). A hint says, beside that
// message, what was wrong and how to fix it:
//
//   SEC:SECRUE       No enum constant com.r3.conclave.common.EnclaveSecurityInfo.Summary.SECRUE
//                    hint: SEC must be SECURE, STALE or INSECURE (did you mean SECURE?)
//   PORD:1           Unknown keys [PORD]
//                    hint: unknown key PORD (did you mean PROD?); keys are C, S, PROD, ...
//
// Hints are for people: their wording may change; scripts read error.code and the message.
//
// Thread-safe (pure functions).
#ifndef VOUCH_CONSTRAINT_HINTS_H_
#define VOUCH_CONSTRAINT_HINTS_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vouch/base/status.h"
#include "vouch/constraint/constraint.h"
#include "vouch/constraint/enclave_instance_info.h"

namespace vouch {

// The hint for `descriptor`, a constraint that EnclaveConstraint::Parse() rejected: the first
// problem in the order Parse() reports them. Empty when `descriptor` parses.
std::string ConstraintParseHint(std::string_view descriptor);

// The hint for `rejection`, the status of `constraint`.Check(`info`, ...) (a simulated or debug
// enclave failing the default SEC:STALE, a product ID or revocation level that does not match,
// ...). Empty when there is nothing to add to Conclave's message.
std::string ConstraintCheckHint(const EnclaveConstraint& constraint,
                                const EnclaveInstanceInfo& info, const Status& rejection);

// The candidates nearest to `word` by edit distance (insertions, deletions, substitutions and
// adjacent transpositions; case-insensitive), if any is close enough to be a typo of it: at most
// one edit for words of up to four characters, two beyond; a candidate that `word` is a prefix
// of also counts. Several when they are equally near, in the order given. For "did you mean"
// suggestions (constraint keys and values, command and option names).
std::vector<std::string> NearestWords(std::string_view word,
                                      std::span<const std::string_view> candidates);

}  // namespace vouch

#endif  // VOUCH_CONSTRAINT_HINTS_H_
