#!/bin/sh
# The smallest enclave bundle's program, for the README tour: `vouch enclave run` starts it on
# the simulated platform with the identity its signature states, in VOUCH_ENCLAVE_IDENTITY. A
# program that quotes and seals links libvouch instead: see examples/hello_enclave.
echo "hello from the simulated enclave: $VOUCH_ENCLAVE_IDENTITY"
