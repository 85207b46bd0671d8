#ifndef CSTDIO_SHIM_H
#define CSTDIO_SHIM_H
#include <sys/types.h>
/// Makes the C stdout stream line-buffered, so every complete line a cell prints reaches the file
/// even if the process traps. (Swift 6 cannot name the global `stdout` directly.)
void cstdio_line_buffer_stdout(void);
/// Flushes C's stdout and stderr streams.
void cstdio_flush(void);

/// The runner's channel to its parent arrives as this process's standard input (the write end of a
/// pipe). Moves it to a high, close-on-exec descriptor, puts /dev/null on standard input in its place,
/// and returns it (-1 if standard input is not a pipe).
int cstdio_take_channel(void);
/// Asks the kernel to kill this process when its parent dies; exits at once if `parent` is already gone.
/// (Linux; elsewhere it does nothing.)
void cstdio_die_with_parent(pid_t parent);
/// Makes this process the parent of every orphaned descendant, so that the runner can end what its
/// lessons left running. Returns 0 on success (Linux; elsewhere -1).
int cstdio_become_subreaper(void);
/// On a crash signal (SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT), writes
/// `PREFIX{"crash":{"mainThread":B,"signal":N}}` and a newline to `fd`, then lets the signal kill the
/// process. `prefix` (at most 64 bytes) is copied. Call from the main thread.
void cstdio_report_crashes(int fd, const char *prefix);
/// The running program's GNU build ID (the linker's hash of what it linked) as lowercase hex in `out`,
/// which needs room for twice its length plus one; returns its length in bytes, 0 when there is none.
/// Read from the program's image in memory, so it is the code that runs even if the file was replaced.
int cstdio_build_id(char *out, int capacity);
#endif
