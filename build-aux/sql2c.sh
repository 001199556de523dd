#!/bin/sh
# Turn an .sql file into a C string constant, so that the binaries carry
# their schema and never depend on a file installed beside them.
# usage: sql2c.sh NAME FILE.sql > out.c
name=$1
file=$2
printf '/* generated from %s by sql2c.sh: do not edit */\n' "$(basename "$file")"
printf 'const char %s[] =\n' "$name"
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/"/' -e 's/$/\\n"/' "$file"
printf ';\n'
