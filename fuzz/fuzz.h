/*
 * fuzz: what every fuzz target shares.  Each target is one .c file with
 * LLVMFuzzerTestOneInput; libFuzzer drives it under --enable-fuzzing, and
 * replay.c drives it over the stored corpus in plain make check.
 */
#ifndef TLSRPT_FUZZ_H
#define TLSRPT_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "tr_limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The library's defaults scaled down so that one input stays fast and small
 * (a fuzzer that spends its time inflating 16 MiB finds nothing else),
 * while every bound can still be crossed by a short input. */
void fuzz_limits(struct tr_limits *l);

/* abort() with a message when s[0..len) is not valid UTF-8: every string
 * the model hands out must be. */
void fuzz_assert_utf8(const char *what, const char *s, size_t len);

#endif
