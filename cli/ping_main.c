/* brig-ping: the ping of brig's busybox base. It sends ICMP echo requests over
 * ICMP datagram sockets, which any user of a group in the network namespace's
 * net.ipv4.ping_group_range may open (brig sets it in every jail), so a jail
 * pings without raw sockets (CAP_NET_RAW, allow_raw_sockets=1). Where the range
 * leaves the caller out it falls back to a raw socket. Linked statically: it
 * runs in bases that have no C library.
 *
 * usage: ping [-4|-6] [-c COUNT] [-i SECONDS] [-W SECONDS] [-w SECONDS] [-s SIZE] [-t TTL]
 *             [-I IFACE|ADDR] [-p HEXBYTE] [-A] [-q] HOST
 * (busybox's options and output, so scripts written for it keep working) */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAYLOAD 65000

struct opts {
    int family; /* AF_UNSPEC, AF_INET or AF_INET6 */
    long count; /* 0: until interrupted or the deadline */
    double interval;
    double wait;     /* -W: how long to wait for the last reply */
    double deadline; /* -w: 0 for none */
    size_t size;
    int ttl;           /* 0: the kernel's */
    const char *iface; /* -I: an interface or a source address */
    int pattern;       /* -p: the payload's byte after the time stamp (-1: a counter) */
    bool adaptive;     /* -A: the next request as soon as a reply arrives */
    bool quiet;
    const char *host;
};

struct state {
    int fd;
    bool raw;
    uint16_t ident;
    struct sockaddr_storage dst;
    socklen_t dstlen;
    char dststr[INET6_ADDRSTRLEN];
    long sent, received;
    double rtt_min, rtt_max, rtt_sum;
    bool multicast;          /* replies come from the group's members */
    uint8_t seen[65536 / 8]; /* the sequence numbers of the replies received */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void usage(void)
{
    fputs("usage: ping [-4|-6] [-c COUNT] [-i SECONDS] [-W SECONDS] [-w SECONDS] [-s SIZE] "
          "[-t TTL] [-I IFACE|ADDR] [-p HEXBYTE] [-A] [-q] HOST\n",
          stderr);
    exit(2);
}

static double parse_seconds(const char *s, char opt)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < 0 || v > 86400) {
        fprintf(stderr, "ping: -%c: bad number of seconds '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

static long parse_count(const char *s, char opt, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 0 || v > max) {
        fprintf(stderr, "ping: -%c: bad number '%s'\n", opt, s);
        exit(2);
    }
    return v;
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    const char *prog = strrchr(argv[0], '/');
    prog = prog ? prog + 1 : argv[0];
    *o = (struct opts){.family = strcmp(prog, "ping6") == 0 ? AF_INET6 : AF_UNSPEC,
                       .interval = 1,
                       .wait = 10,
                       .size = 56,
                       .pattern = -1};
    int c;
    char *end;
    while ((c = getopt(argc, argv, "46c:i:W:w:s:t:I:p:Aq")) != -1) {
        switch (c) {
        case '4':
            o->family = AF_INET;
            break;
        case '6':
            o->family = AF_INET6;
            break;
        case 'c':
            o->count = parse_count(optarg, 'c', 1L << 30);
            break;
        case 'i':
            o->interval = parse_seconds(optarg, 'i');
            if (o->interval < 0.2 && getuid() != 0) {
                fputs("ping: -i: below 0.2 seconds only for root\n", stderr);
                exit(2);
            }
            break;
        case 'W':
            o->wait = parse_seconds(optarg, 'W');
            break;
        case 'w':
            o->deadline = parse_seconds(optarg, 'w');
            break;
        case 's':
            o->size = (size_t)parse_count(optarg, 's', MAX_PAYLOAD);
            break;
        case 't':
            o->ttl = (int)parse_count(optarg, 't', 255);
            if (o->ttl == 0) {
                fputs("ping: -t: a TTL is 1 to 255\n", stderr);
                exit(2);
            }
            break;
        case 'I':
            if (!*optarg || strlen(optarg) >= 64)
                usage();
            o->iface = optarg;
            break;
        case 'p':
            errno = 0;
            o->pattern = (int)strtol(optarg, &end, 16);
            if (errno || end == optarg || *end || o->pattern < 0 || o->pattern > 255) {
                fprintf(stderr, "ping: -p: bad byte '%s'\n", optarg);
                exit(2);
            }
            break;
        case 'A':
            o->adaptive = true;
            break;
        case 'q':
            o->quiet = true;
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1)
        usage();
    o->host = argv[optind];
}

static void resolve(const struct opts *o, struct state *s)
{
    struct addrinfo hints = {.ai_family = o->family, .ai_socktype = SOCK_DGRAM}, *res = NULL;
    int e = getaddrinfo(o->host, NULL, &hints, &res);
    if (e != 0) {
        fprintf(stderr, "ping: bad address '%s': %s\n", o->host,
                e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
        exit(2);
    }
    memcpy(&s->dst, res->ai_addr, res->ai_addrlen);
    s->dstlen = res->ai_addrlen;
    const void *a = res->ai_family == AF_INET
                        ? (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr
                        : (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
    inet_ntop(res->ai_family, a, s->dststr, sizeof(s->dststr));
    s->multicast = res->ai_family == AF_INET
                       ? IN_MULTICAST(ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr))
                       : IN6_IS_ADDR_MULTICAST(&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr);
    freeaddrinfo(res);
}

/* -I: bind to a source address of the destination's family, or to an interface. */
static void bind_source(struct state *s, const char *iface)
{
    struct sockaddr_storage src = {.ss_family = s->dst.ss_family};
    socklen_t len =
        s->dst.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    void *a = s->dst.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&src)->sin_addr
                                          : (void *)&((struct sockaddr_in6 *)&src)->sin6_addr;
    if (inet_pton(s->dst.ss_family, iface, a) == 1) {
        if (bind(s->fd, (struct sockaddr *)&src, len) < 0) {
            fprintf(stderr, "ping: bind %s: %s\n", iface, strerror(errno));
            exit(2);
        }
        return;
    }
    if (setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE, iface, (socklen_t)strlen(iface) + 1) < 0) {
        fprintf(stderr, "ping: -I %s: %s\n", iface, strerror(errno));
        exit(2);
    }
}

/* An ICMP datagram socket, else a raw one (needs CAP_NET_RAW). */
static void open_socket(struct state *s, const struct opts *o)
{
    int fam = s->dst.ss_family;
    int proto = fam == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
    s->fd = socket(fam, SOCK_DGRAM | SOCK_CLOEXEC, proto);
    if (s->fd < 0) {
        int dgram_errno = errno;
        s->fd = socket(fam, SOCK_RAW | SOCK_CLOEXEC, proto);
        if (s->fd < 0) {
            fprintf(stderr,
                    "ping: cannot open an ICMP socket: %s (the caller's group is outside "
                    "net.ipv4.ping_group_range, and raw sockets need CAP_NET_RAW)\n",
                    strerror(dgram_errno));
            exit(2);
        }
        s->raw = true;
    }
    int on = 1;
    if (fam == AF_INET)
        setsockopt(s->fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof(on));
    else
        setsockopt(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on));
    if (o->ttl && fam == AF_INET)
        setsockopt(s->fd, IPPROTO_IP, IP_TTL, &o->ttl, sizeof(o->ttl));
    else if (o->ttl)
        setsockopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &o->ttl, sizeof(o->ttl));
    if (o->iface)
        bind_source(s, o->iface);
    if (s->raw && fam == AF_INET6) {
        struct icmp6_filter f;
        ICMP6_FILTER_SETBLOCKALL(&f);
        ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
        setsockopt(s->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
    }
}

/* The Internet checksum (IPv4 ICMP; the kernel computes ICMPv6's). */
static uint16_t checksum(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t sum = 0;
    for (; len > 1; p += 2, len -= 2)
        sum += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        sum += (uint32_t)(p[0] << 8);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return htons((uint16_t)~sum);
}

static void send_echo(struct state *s, const struct opts *o, uint16_t seq)
{
    static uint8_t pkt[8 + MAX_PAYLOAD];
    size_t len = 8 + o->size;
    memset(pkt, 0, len);
    pkt[0] = s->dst.ss_family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
    uint16_t id = htons(s->ident), sq = htons(seq);
    memcpy(pkt + 4, &id, 2);
    memcpy(pkt + 6, &sq, 2);
    double t = now();
    if (o->size >= sizeof(t))
        memcpy(pkt + 8, &t, sizeof(t));
    for (size_t i = 8 + sizeof(t); i < len; i++)
        pkt[i] = o->pattern >= 0 ? (uint8_t)o->pattern : (uint8_t)i;
    if (s->dst.ss_family == AF_INET) {
        uint16_t ck = checksum(pkt, len);
        memcpy(pkt + 2, &ck, 2);
    }
    s->seen[seq / 8] &= (uint8_t) ~(1u << (seq % 8));
    if (sendto(s->fd, pkt, len, 0, (struct sockaddr *)&s->dst, s->dstlen) < 0) {
        fprintf(stderr, "ping: sendto %s: %s\n", s->dststr, strerror(errno));
        exit(1);
    }
    s->sent++;
}

/* Whether from is the destination. Replies to a multicast echo come from
 * its members; any other reply comes from the address pinged, whatever a
 * third host sends with the right id. */
static bool from_destination(const struct state *s, const struct sockaddr_storage *from)
{
    if (from->ss_family != s->dst.ss_family)
        return false;
    if (s->multicast)
        return true;
    if (s->dst.ss_family == AF_INET)
        return ((const struct sockaddr_in *)&s->dst)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)from)->sin_addr.s_addr;
    return memcmp(&((const struct sockaddr_in6 *)&s->dst)->sin6_addr,
                  &((const struct sockaddr_in6 *)from)->sin6_addr, sizeof(struct in6_addr)) == 0;
}

/* Read one packet: 1 when it is a reply of ours (counted and shown), 0 when
 * it is none, -1 when there is nothing to read. */
static int recv_reply(struct state *s, const struct opts *o)
{
    static uint8_t buf[60 + 8 + MAX_PAYLOAD];
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int)) * 2];
    } ctl;
    struct sockaddr_storage from;
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf)};
    struct msghdr mh = {.msg_name = &from,
                        .msg_namelen = sizeof(from),
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &ctl,
                        .msg_controllen = sizeof(ctl)};
    ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    double t = now();
    const uint8_t *icmp = buf;
    int ttl = -1;
    if (s->raw && s->dst.ss_family == AF_INET) {
        size_t hl = (size_t)(buf[0] & 0x0f) * 4;
        if ((size_t)n < hl + 8)
            return 0;
        ttl = buf[8];
        icmp += hl;
        n -= (ssize_t)hl;
    }
    if (n < 8)
        return 0;
    uint8_t want = s->dst.ss_family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
    uint16_t id, seq;
    memcpy(&id, icmp + 4, 2);
    memcpy(&seq, icmp + 6, 2);
    /* datagram sockets see only their own replies (the kernel sets and checks the id) */
    if (icmp[0] != want || (s->raw && ntohs(id) != s->ident) || !from_destination(s, &from))
        return 0;
    /* a sequence number not sent yet is no reply; one seen before is a duplicate */
    seq = ntohs(seq);
    if (s->sent <= 65535 && seq >= s->sent)
        return 0;
    bool dup = !s->multicast && (s->seen[seq / 8] & (1u << (seq % 8)));
    s->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
        if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
            (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT))
            memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
    }
    double sent_at = 0, rtt = -1;
    if (o->size >= sizeof(sent_at) && n >= 8 + (ssize_t)sizeof(sent_at)) {
        memcpy(&sent_at, icmp + 8, sizeof(sent_at));
        rtt = (t - sent_at) * 1000;
        if (rtt < 0 || rtt > 1e7)
            rtt = -1;
    }
    if (!dup)
        s->received++;
    if (rtt >= 0 && !dup) {
        s->rtt_sum += rtt;
        s->rtt_min = s->received == 1 || rtt < s->rtt_min ? rtt : s->rtt_min;
        s->rtt_max = rtt > s->rtt_max ? rtt : s->rtt_max;
    }
    if (!o->quiet) {
        char fromstr[INET6_ADDRSTRLEN] = "?";
        const void *a = from.ss_family == AF_INET
                            ? (const void *)&((struct sockaddr_in *)&from)->sin_addr
                            : (const void *)&((struct sockaddr_in6 *)&from)->sin6_addr;
        inet_ntop(from.ss_family, a, fromstr, sizeof(fromstr));
        printf("%zd bytes from %s: seq=%u", n, fromstr, seq);
        if (ttl >= 0)
            printf(" ttl=%d", ttl);
        if (rtt >= 0)
            printf(" time=%.3f ms", rtt);
        if (dup)
            fputs(" (DUP!)", stdout);
        putchar('\n');
        fflush(stdout);
    }
    return !dup;
}

int main(int argc, char **argv)
{
    struct opts o;
    struct state s = {.fd = -1};
    parse_args(argc, argv, &o);
    resolve(&o, &s);
    open_socket(&s, &o);
    s.ident = (uint16_t)getpid();
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    printf("PING %s (%s): %zu data bytes\n", o.host, s.dststr, o.size);
    fflush(stdout);

    double start = now(), next = start, last_sent = start;
    uint16_t seq = 0;
    while (!interrupted) {
        double t = now();
        if (o.deadline > 0 && t - start >= o.deadline)
            break;
        if (o.count && s.received >= o.count)
            break;
        bool all_sent = o.count && s.sent >= o.count;
        if (all_sent && t - last_sent >= o.wait)
            break;
        if (!all_sent && t >= next) {
            send_echo(&s, &o, seq++);
            last_sent = t;
            next = t + o.interval;
            continue;
        }
        double until = all_sent ? last_sent + o.wait : next;
        if (o.deadline > 0 && start + o.deadline < until)
            until = start + o.deadline;
        int ms = (int)((until - t) * 1000) + 1;
        struct pollfd p = {.fd = s.fd, .events = POLLIN};
        if (poll(&p, 1, ms < 0 ? 0 : ms) > 0) {
            long before = s.received;
            /* a bounded drain: a flood of packets never holds off the
             * next request, the deadline or an interrupt */
            for (int k = 0; k < 64 && !interrupted && recv_reply(&s, &o) >= 0; k++)
                ;
            if (o.adaptive && s.received > before)
                next = now();
        }
    }
    printf("\n--- %s ping statistics ---\n", o.host);
    printf("%ld packets transmitted, %ld packets received, %ld%% packet loss\n", s.sent, s.received,
           s.sent ? (s.sent - s.received) * 100 / s.sent : 0);
    if (s.received && s.rtt_max > 0)
        printf("round-trip min/avg/max = %.3f/%.3f/%.3f ms\n", s.rtt_min,
               s.rtt_sum / (double)s.received, s.rtt_max);
    close(s.fd);
    return s.received ? 0 : 1;
}
