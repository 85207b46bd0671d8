#define _GNU_SOURCE
#include "cstdio_shim.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/stat.h>
#include <unistd.h>

void cstdio_line_buffer_stdout(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

void cstdio_flush(void) {
    fflush(stdout);
    fflush(stderr);
}

int cstdio_take_channel(void) {
    struct stat st;
    if (fstat(0, &st) != 0 || !S_ISFIFO(st.st_mode)) return -1;
    int fd = fcntl(0, F_DUPFD_CLOEXEC, 200);
    if (fd < 0) return -1;
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null >= 0) {
        dup2(null, 0);  /* dup2 clears close-on-exec on 0: children still get /dev/null */
        close(null);
    } else {
        close(0);
    }
    return fd;
}

void cstdio_die_with_parent(pid_t parent) {
#ifdef __linux__
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(137);
#else
    (void)parent;
#endif
}

int cstdio_become_subreaper(void) {
#ifdef __linux__
    return prctl(PR_SET_CHILD_SUBREAPER, 1);
#else
    return -1;
#endif
}

static int crash_fd = -1;
static char crash_prefix[65];
static size_t crash_prefix_length = 0;
static pthread_t main_thread;

static void append_number(char *buffer, size_t *length, int n) {
    char digits[12];
    int count = 0;
    if (n == 0) digits[count++] = '0';
    while (n > 0 && count < 11) { digits[count++] = (char)('0' + n % 10); n /= 10; }
    while (count > 0) buffer[(*length)++] = digits[--count];
}

static void on_crash(int signal) {
    /* Only async-signal-safe calls here: build the line by hand and write it once. */
    char line[160];
    size_t length = 0;
    for (size_t i = 0; i < crash_prefix_length; i++) line[length++] = crash_prefix[i];
    const char *head = "{\"crash\":{\"mainThread\":";
    for (const char *p = head; *p; p++) line[length++] = *p;
    const char *flag = pthread_equal(pthread_self(), main_thread) ? "true" : "false";
    for (const char *p = flag; *p; p++) line[length++] = *p;
    const char *middle = ",\"signal\":";
    for (const char *p = middle; *p; p++) line[length++] = *p;
    append_number(line, &length, signal);
    line[length++] = '}';
    line[length++] = '}';
    line[length++] = '\n';
    if (crash_fd >= 0) { ssize_t ignored = write(crash_fd, line, length); (void)ignored; }
    /* SA_RESETHAND restored the default action: returning re-runs the faulting instruction (or
     * abort() raises again), and the process dies of the signal as it would have. */
}

void cstdio_report_crashes(int fd, const char *prefix) {
    crash_fd = fd;
    crash_prefix_length = strnlen(prefix, 64);
    memcpy(crash_prefix, prefix, crash_prefix_length);
    main_thread = pthread_self();
    /* A stack overflow faults on the stack itself: the handler needs a stack of its own. */
    static char alternate[1 << 16];
    stack_t stack = { .ss_sp = alternate, .ss_size = sizeof alternate, .ss_flags = 0 };
    sigaltstack(&stack, NULL);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_crash;
    action.sa_flags = SA_RESETHAND | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&action.sa_mask);
    int signals[] = { SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGFPE, SIGABRT };
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) sigaction(signals[i], &action, NULL);
}

#ifdef __linux__
#include <elf.h>
#include <link.h>

typedef struct { char *out; int capacity; int length; } BuildIDSearch;

/* The first object dl_iterate_phdr reports is the program itself: its PT_NOTE segments hold the
 * linker's NT_GNU_BUILD_ID note. */
static int find_build_id(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    BuildIDSearch *search = data;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_NOTE) continue;
        const unsigned char *note = (const unsigned char *)(info->dlpi_addr + segment->p_vaddr);
        const unsigned char *end = note + segment->p_memsz;
        /* A note's name and description are padded to the segment's alignment: 4, or 8 (.note.gnu.property). */
        size_t pad = segment->p_align == 8 ? 7 : 3;
        while ((size_t)(end - note) >= sizeof(ElfW(Nhdr))) {
            const ElfW(Nhdr) *header = (const ElfW(Nhdr) *)note;
            size_t nameRoom = ((size_t)header->n_namesz + pad) & ~pad, descRoom = ((size_t)header->n_descsz + pad) & ~pad;
            if (nameRoom + descRoom > (size_t)(end - note) - sizeof *header) break;
            const unsigned char *name = note + sizeof *header;
            const unsigned char *desc = name + nameRoom;
            const unsigned char *next = desc + descRoom;
            if (header->n_type == NT_GNU_BUILD_ID && header->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                (size_t)header->n_descsz * 2 + 1 <= (size_t)search->capacity) {
                static const char hex[] = "0123456789abcdef";
                for (unsigned k = 0; k < header->n_descsz; k++) {
                    search->out[2 * k] = hex[desc[k] >> 4];
                    search->out[2 * k + 1] = hex[desc[k] & 15];
                }
                search->out[2 * header->n_descsz] = 0;
                search->length = (int)header->n_descsz;
                return 1;
            }
            note = next;
        }
    }
    return 1; /* only the program itself */
}

int cstdio_build_id(char *out, int capacity) {
    BuildIDSearch search = {out, capacity, 0};
    if (capacity > 0) out[0] = 0;
    dl_iterate_phdr(find_build_id, &search);
    return search.length;
}
#else
int cstdio_build_id(char *out, int capacity) { if (capacity > 0) out[0] = 0; return 0; }
#endif
