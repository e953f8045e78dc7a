/* Progress of a long job on stderr: a bar redrawn in place on a terminal,
 * one line per phase elsewhere (a log gets no silent minutes either). */
#ifndef BRIG_CLI_PROGRESS_H
#define BRIG_CLI_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cli_progress {
    FILE *out;
    bool tty;        /* draw bars; else print each phase once */
    bool lines;      /* when not a terminal, print phase lines (else nothing) */
    const char *tag; /* "base debian12": what the phase lines are about */
    int width;       /* columns for the phase name */
    bool open;       /* a bar is drawn and its line not ended */
    char phase[96];
    uint64_t last_ns;
    uint64_t start_ns; /* when the phase began: a size without a total shows its rate */
};

void cli_progress_init(struct cli_progress *p, FILE *out, const char *tag, int width, bool lines);
/* A brig_progress_fn: data is the struct cli_progress. */
void cli_progress_update(const char *phase, uint64_t done, uint64_t total, void *data);
/* The job is over: a bar still open is drawn full when ok, and its line ended. */
void cli_progress_end(struct cli_progress *p, bool ok);

#endif
