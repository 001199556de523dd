/*
 * domain: see domain.h.
 */
#include <string.h>
#include <strings.h>

#include "domain.h"

int domain_within(const char *name, const char *domain)
{
	size_t ln, ld;

	if (name == NULL || domain == NULL || *name == '\0' || *domain == '\0')
		return 0;
	ln = strlen(name);
	ld = strlen(domain);
	if (ln < ld || (ln > ld && name[ln - ld - 1] != '.'))
		return 0;
	return strcasecmp(name + ln - ld, domain) == 0;
}
