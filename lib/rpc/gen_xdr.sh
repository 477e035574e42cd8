#!/bin/sh
# Run rpcgen and point the generated code at our header name.  rpcgen
# refuses to overwrite its output, so stale files are removed first.
# usage: gen_xdr.sh RPCGEN -c|-h INPUT.x OUTPUT
set -e
rm -f "$4" "$4.tmp"
"$1" "$2" "$3" > "$4.tmp"
sed -e 's|#include ".*vireo_remote_protocol.h"|#include "vireo_remote_protocol.h"|' "$4.tmp" > "$4"
rm -f "$4.tmp"
