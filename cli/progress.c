#include "progress.h"

#include <string.h>
#include <unistd.h>

#include "util.h"

#define BAR_WIDTH 30

void cli_progress_init(struct cli_progress *p, FILE *out, const char *tag, int width, bool lines)
{
    memset(p, 0, sizeof(*p));
    p->out = out;
    p->tty = isatty(fileno(out)) == 1;
    p->lines = lines;
    p->tag = tag;
    p->width = width;
}

static void draw(struct cli_progress *p, uint64_t done, uint64_t total)
{
    if (total) {
        int pct = (int)(done * 100 / total), fill = pct * BAR_WIDTH / 100;
        fprintf(p->out, "\r%-*.*s [%.*s%*s] %3d%%", p->width, p->width, p->phase, fill,
                "##############################", BAR_WIDTH - fill, "", pct);
    } else {
        uint64_t ns = brig_now_ns() - p->start_ns;
        double rate = ns ? (double)done / (1024.0 * 1024.0) / ((double)ns / 1e9) : 0.0;
        fprintf(p->out, "\r%-*.*s %llu MiB, %.1f MiB/s ", p->width, p->width, p->phase,
                (unsigned long long)(done >> 20), rate);
    }
    p->open = true;
    fflush(p->out);
}

/* End the open bar's line, drawn full when the phase is over. */
static void close_bar(struct cli_progress *p, bool full)
{
    if (!p->open)
        return;
    if (full)
        draw(p, 1, 1);
    fputc('\n', p->out);
    fflush(p->out);
    p->open = false;
}

void cli_progress_update(const char *phase, uint64_t done, uint64_t total, void *data)
{
    struct cli_progress *p = data;
    bool next = strncmp(p->phase, phase, sizeof(p->phase) - 1) != 0;
    if (!p->tty) {
        if (next && p->lines)
            fprintf(p->out, "%s: %s\n", p->tag, phase);
        snprintf(p->phase, sizeof(p->phase), "%s", phase);
        return;
    }
    /* a new phase means the last one is over: its bar ends full */
    if (next) {
        close_bar(p, true);
        snprintf(p->phase, sizeof(p->phase), "%s", phase);
        p->start_ns = brig_now_ns();
    }
    uint64_t now = brig_now_ns();
    if (!next && done != total && now - p->last_ns < 100000000ull)
        return;
    p->last_ns = now;
    draw(p, done > total && total ? total : done, total);
}

void cli_progress_end(struct cli_progress *p, bool ok)
{
    if (p->tty)
        close_bar(p, ok);
}
