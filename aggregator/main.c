/* tlsrpt-report: STUB until the CLI lands. */
#include <stdio.h>
#include "limits.h"
int main(void)
{
	fprintf(stderr, "tlsrpt-report: not implemented yet\n");
	return 2;
}
