#!/bin/sh
# Longest functions (sh tools/function-lengths.sh include/*.h): lines from the function's name (at the
# start of a line, followed by "(") to its closing brace (a "}" at the start of a line).
awk 'FNR==1{start=0} /^[A-Za-z_][A-Za-z0-9_]*\(/{start=FNR; name=$0; sub(/\(.*/,"",name)}
     /^}/{ if (start) { print FNR-start+1, FILENAME":"start, name; start=0 } }' "$@" | sort -rn
