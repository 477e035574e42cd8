#!/bin/sh
# Run rpcgen -c and point the generated code at our header name.
# usage: gen_xdr.sh RPCGEN INPUT.x OUTPUT.c
set -e
"$1" -c "$2" -o "$3.tmp"
sed -e 's|#include ".*vireo_remote_protocol.h"|#include "vireo_remote_protocol.h"|' "$3.tmp" > "$3"
rm -f "$3.tmp"
