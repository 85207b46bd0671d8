#include "cstdio_shim.h"
#include <stdio.h>

void cstdio_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void cstdio_write_stdout(const char *text) {
    fflush(stdout);
    fputs(text, stdout);
    fflush(stdout);
}
