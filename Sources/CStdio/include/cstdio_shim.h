#ifndef CSTDIO_SHIM_H
#define CSTDIO_SHIM_H
/// Makes the C stdout stream line-buffered, so every complete line a cell prints reaches the file
/// even if the process traps. (Swift 6 cannot name the global `stdout` directly.)
void cstdio_line_buffer_stdout(void);
/// Flushes stdout, writes `text` and flushes again, so the text lands between whatever came before and after.
void cstdio_write_stdout(const char *text);
#endif
