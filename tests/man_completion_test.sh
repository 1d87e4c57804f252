#!/usr/bin/env bash
# `vouch help --man` and `vouch help --completion bash` (docs/cli.md, "Manual pages and
# completion"): one page per family plus vouch.1, each command's help in its family's page, the
# same bytes every time, pages that man(1) renders (when man is installed), and a completion
# script that completes families, commands, options and file names. Run by ctest with
# VOUCH=<binary>, from the repository root.
set -uo pipefail
# shellcheck source=tests/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

check "man pages written" 0 "^wrote [0-9]+ manual pages" -- "$VOUCH" help --man "$TMP/man"
check "completion written" 0 "complete -o filenames -F _vouch vouch" -- \
  "$VOUCH" help --completion bash
"$VOUCH" help --completion bash > "$TMP/vouch.bash" || bad "completion to a file"
bash -n "$TMP/vouch.bash" && ok || bad "the completion script is not valid bash"

# One page per family (the words `vouch` completes to) and vouch.1.
# shellcheck source=/dev/null
source "$TMP/vouch.bash"
complete_words() {  # complete_words WORD...: what completing the last word offers
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _vouch
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' '
}
families=$(complete_words vouch "")
n_families=$(wc -w <<<"$families")
[ "$n_families" -ge 15 ] && ok || bad "only $n_families families complete: $families"
[ "$(ls "$TMP/man" | wc -l)" -eq $((n_families + 1)) ] && ok ||
  bad "$(ls "$TMP/man" | wc -l) pages for $n_families families"
for f in $families; do
  page=$TMP/man/vouch-$f.1
  if [ -f "$page" ] && head -1 "$page" | grep -q "^\.TH VOUCH-${f^^} 1 \"\" \"vouch "; then
    ok
  else
    bad "page of $f missing or without a .TH line"
  fi
done
# Every command has its section, with its own usage line, in its family's page.
for cmd in "sgx verify" "log add" "serve witness" "govern admit" "audit replay" \
    "sgx collateral fetch"; do
  family=${cmd%% *}
  if grep -q "^\.SS \"vouch ${cmd//-/\\\\-}\"" "$TMP/man/vouch-$family.1" &&
      grep -qF "Usage: vouch $cmd [OPTIONS]" "$TMP/man/vouch-$family.1"; then
    ok
  else
    bad "no section for vouch $cmd"
  fi
done
# Roff control characters in help text are neutralised: no line starts with a stray request.
if grep -vhE '^(\.(TH|SH|SS|B|nf|fi) |\.(nf|fi)$|[^.'"'"'])|^$' "$TMP/man"/*.1 | grep -q .; then
  bad "a line starts with an unknown roff request"
else
  ok
fi
# Reproducible: the same bytes again (no date in the pages).
"$VOUCH" help --man "$TMP/man2" > /dev/null
diff -r "$TMP/man" "$TMP/man2" > /dev/null && ok || bad "a second run writes other pages"
if command -v man > /dev/null; then
  rendered=$(MANWIDTH=100 man -l "$TMP/man/vouch-sgx.1" 2>&1)
  grep -q "Usage: vouch sgx verify \[OPTIONS\] QUOTE" <<<"$rendered" && ok ||
    bad "man does not render vouch-sgx.1: ${rendered:0:300}"
fi

# Completion: families, commands, options, and files where a command takes arguments.
[[ " $(complete_words vouch sg) " == *" sgx "* ]] && ok || bad "vouch sg<TAB>"
[ "$(complete_words vouch sgx v)" = "verify " ] && ok || bad "vouch sgx v<TAB>: $(complete_words vouch sgx v)"
got=$(complete_words vouch sgx verify --co)
[ "$got" = "--collateral --constraint " ] && ok || bad "vouch sgx verify --co<TAB>: $got"
got=$(complete_words vouch log add --js)
[ "$got" = "--json " ] && ok || bad "vouch log add --js<TAB>: $got"
touch "$TMP/quote-file.bin"
got=$(cd "$TMP" && complete_words vouch sgx verify quote-f)
[ "$got" = "quote-file.bin " ] && ok || bad "file names after a command: $got"
# Option values do not derail the command path.
got=$(complete_words vouch serve log --port 0 --ma)
[[ "$got" == *"--max-connections "* ]] && ok || bad "options after an option's value: $got"

# Usage and I/O errors.
check "unknown shell" 2 "no completion for shell 'zsh'" -- "$VOUCH" help --completion zsh
check "both at once" 2 "one at a time" -- "$VOUCH" help --man "$TMP/m3" --completion bash
check "with a command" 2 "one at a time" -- "$VOUCH" help sgx --man "$TMP/m3"
touch "$TMP/a-file"
check "unwritable directory" 3 "cannot create --man directory" -- \
  "$VOUCH" help --man "$TMP/a-file/man"

finish
