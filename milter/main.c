/* tlsrpt-milter: STUB until the milter lands. */
#include <stdio.h>
#include "limits.h"
int main(void)
{
	fprintf(stderr, "tlsrpt-milter: not implemented yet\n");
	return 78;
}
