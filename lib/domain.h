/*
 * domain: comparing domain names, which have no case.
 */
#ifndef TLSRPT_DOMAIN_H
#define TLSRPT_DOMAIN_H

/* 1 when name is domain or a name under it ("mx.example.com" is within
 * "example.com", "badexample.com" is not), ignoring case; 0 when either
 * is NULL or empty. */
int domain_within(const char *name, const char *domain);

#endif
