#define _GNU_SOURCE
#include "nfnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NFT_TYPE(msg) ((uint16_t)((NFNL_SUBSYS_NFTABLES << 8) | (msg)))
#define RECV_BUF      (64 * 1024)

/* Start a message; returns its offset in b. */
/* The payload of a received message. */
static const void *msg_data(const struct nlmsghdr *h)
{
    return (const char *)h + NLMSG_HDRLEN;
}

/* The next whole message in buf[0..len) from *off on, or NULL. */
static const struct nlmsghdr *msg_next(const char *buf, size_t len, size_t *off)
{
    if (*off + sizeof(struct nlmsghdr) > len)
        return NULL;
    const struct nlmsghdr *h = (const struct nlmsghdr *)(buf + *off);
    if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len - *off)
        return NULL;
    *off += NLMSG_ALIGN(h->nlmsg_len);
    return h;
}

static size_t msg_begin(struct brig_buf *b, uint16_t type, uint16_t flags, uint32_t seq,
                        uint8_t family, uint16_t res_id)
{
    size_t off = b->len;
    struct nlmsghdr h = {.nlmsg_type = type, .nlmsg_flags = flags, .nlmsg_seq = seq};
    struct nfgenmsg g = {.nfgen_family = family, .version = NFNETLINK_V0, .res_id = htons(res_id)};
    brig_buf_addn(b, (const char *)&h, sizeof(h));
    brig_buf_addn(b, (const char *)&g, sizeof(g));
    return off;
}

static void msg_end(struct brig_buf *b, size_t off)
{
    uint32_t len = (uint32_t)(b->len - off);
    memcpy(b->s + off + offsetof(struct nlmsghdr, nlmsg_len), &len, sizeof(len));
}

static void pad(struct brig_buf *b)
{
    static const char zero[NLA_ALIGNTO] = {0};
    size_t n = NLA_ALIGN(b->len) - b->len;
    if (n)
        brig_buf_addn(b, zero, n);
}

static size_t attr_begin(struct brig_buf *b, uint16_t type)
{
    size_t off = b->len;
    struct nlattr a = {.nla_type = type};
    brig_buf_addn(b, (const char *)&a, sizeof(a));
    return off;
}

static void attr_end(struct brig_buf *b, size_t off)
{
    uint16_t len = (uint16_t)(b->len - off);
    memcpy(b->s + off + offsetof(struct nlattr, nla_len), &len, sizeof(len));
    pad(b);
}

static void attr_put(struct brig_buf *b, uint16_t type, const void *data, size_t n)
{
    size_t a = attr_begin(b, type);
    brig_buf_addn(b, data, n);
    attr_end(b, a);
}

static void attr_str(struct brig_buf *b, uint16_t type, const char *s)
{
    attr_put(b, type, s, strlen(s) + 1);
}

static void del_rules_and_chain(struct brig_buf *b, const char *table, const char *chain,
                                uint32_t *seq)
{
    uint16_t f = NLM_F_REQUEST | NLM_F_ACK;
    size_t m = msg_begin(b, NFT_TYPE(NFT_MSG_DELRULE), f, (*seq)++, NFPROTO_BRIDGE, 0);
    attr_str(b, NFTA_RULE_TABLE, table);
    attr_str(b, NFTA_RULE_CHAIN, chain);
    msg_end(b, m);
    m = msg_begin(b, NFT_TYPE(NFT_MSG_DELCHAIN), f, (*seq)++, NFPROTO_BRIDGE, 0);
    attr_str(b, NFTA_CHAIN_TABLE, table);
    attr_str(b, NFTA_CHAIN_NAME, chain);
    msg_end(b, m);
}

unsigned brig_nfnl_render_remove(struct brig_buf *out, const char *table, const char *map,
                                 const char *chain, const char *const *ports, uint32_t seq)
{
    uint32_t first = seq;
    size_t m =
        msg_begin(out, NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    msg_end(out, m);
    for (const char *const *p = ports; p && *p; p++) {
        /* the element jumps to the port's chain: it goes first */
        m = msg_begin(out, NFT_TYPE(NFT_MSG_DELSETELEM), NLM_F_REQUEST | NLM_F_ACK, seq++,
                      NFPROTO_BRIDGE, 0);
        attr_str(out, NFTA_SET_ELEM_LIST_TABLE, table);
        attr_str(out, NFTA_SET_ELEM_LIST_SET, map);
        size_t list = attr_begin(out, NLA_F_NESTED | NFTA_SET_ELEM_LIST_ELEMENTS);
        size_t elem = attr_begin(out, NLA_F_NESTED | 1 /* NFTA_LIST_ELEM */);
        size_t key = attr_begin(out, NLA_F_NESTED | NFTA_SET_ELEM_KEY);
        char name[IFNAMSIZ] = {0}; /* an ifname key: the name, zero-padded */
        strncpy(name, *p, sizeof(name) - 1);
        attr_put(out, NFTA_DATA_VALUE, name, sizeof(name));
        attr_end(out, key);
        attr_end(out, elem);
        attr_end(out, list);
        msg_end(out, m);
        del_rules_and_chain(out, table, *p, &seq);
    }
    /* last: the ports' chains jumped to it */
    if (chain)
        del_rules_and_chain(out, table, chain, &seq);
    m = msg_begin(out, NFNL_MSG_BATCH_END, NLM_F_REQUEST, seq++, AF_UNSPEC, NFNL_SUBSYS_NFTABLES);
    msg_end(out, m);
    return seq - first - 2;
}

/* The string attribute type of the message's nfgenmsg payload, or NULL. */
static const char *find_str(const struct nlmsghdr *h, uint16_t type)
{
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));
    while (off + sizeof(struct nlattr) <= h->nlmsg_len) {
        const struct nlattr *a = (const struct nlattr *)((const char *)h + off);
        if (a->nla_len < sizeof(*a) || off + a->nla_len > h->nlmsg_len)
            return NULL;
        const char *s = (const char *)a + NLA_HDRLEN;
        size_t n = a->nla_len - NLA_HDRLEN;
        if ((a->nla_type & NLA_TYPE_MASK) == type)
            return n > 0 && memchr(s, '\0', n) ? s : NULL;
        off += NLA_ALIGN(a->nla_len);
    }
    return NULL;
}

int brig_nfnl_chains_parse(const void *buf, size_t len, const char *table, char ***v)
{
    const char *p = buf;
    while (len >= sizeof(struct nlmsghdr)) {
        const struct nlmsghdr *h = (const struct nlmsghdr *)p;
        if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > len)
            return -EBADMSG;
        if (h->nlmsg_type == NLMSG_DONE)
            return 1;
        if (h->nlmsg_type == NLMSG_ERROR) {
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                return -EBADMSG;
            const struct nlmsgerr *e = msg_data(h);
            return e->error < 0 ? e->error : -EBADMSG;
        }
        if (h->nlmsg_type == NFT_TYPE(NFT_MSG_NEWCHAIN) &&
            h->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nfgenmsg)) {
            const char *t = find_str(h, NFTA_CHAIN_TABLE);
            const char *name = find_str(h, NFTA_CHAIN_NAME);
            if (t && name && strcmp(t, table) == 0)
                brig_strv_push(v, name);
        }
        size_t step = NLMSG_ALIGN(h->nlmsg_len);
        if (step >= len)
            break;
        p += step;
        len -= step;
    }
    return 0;
}

static int nfnl_socket(struct brig_err *err)
{
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
    if (fd < 0)
        return brig_err_sys(err, errno, "nftables: netlink socket");
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int e = errno;
        close(fd);
        return brig_err_sys(err, e, "nftables: bind a netlink socket");
    }
    return fd;
}

static int send_all(int fd, const struct brig_buf *b, struct brig_err *err)
{
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
    ssize_t n = sendto(fd, b->s, b->len, 0, (struct sockaddr *)&sa, sizeof(sa));
    if (n != (ssize_t)b->len)
        return brig_err_sys(err, n < 0 ? errno : EIO, "nftables: send");
    return 0;
}

int brig_nfnl_bridge_chains(const char *table, char ***ret, struct brig_err *err)
{
    /* a dump that the ruleset changed under is asked again */
    for (int attempt = 0;; attempt++) {
        _cleanup_close_ int fd = nfnl_socket(err);
        if (fd < 0)
            return -1;
        struct brig_buf req = {0};
        size_t m = msg_begin(&req, NFT_TYPE(NFT_MSG_GETCHAIN), NLM_F_REQUEST | NLM_F_DUMP, 1,
                             NFPROTO_BRIDGE, 0);
        msg_end(&req, m);
        int r = send_all(fd, &req, err);
        brig_buf_free(&req);
        if (r < 0)
            return -1;
        char **v = brig_xcalloc(1, sizeof(char *));
        char *buf = brig_xmalloc(RECV_BUF);
        bool intr = false;
        for (r = 0; r == 0;) {
            ssize_t n = recv(fd, buf, RECV_BUF, 0);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                r = n < 0 ? -errno : -EIO;
                break;
            }
            size_t off = 0;
            for (const struct nlmsghdr *h; (h = msg_next(buf, (size_t)n, &off));)
                intr |= (h->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
            r = brig_nfnl_chains_parse(buf, (size_t)n, table, &v);
        }
        free(buf);
        if (r == 1 && intr && attempt < 5) {
            brig_strv_free(v);
            continue;
        }
        if (r < 0) {
            brig_strv_free(v);
            /* no nftables in this kernel, or no table of this family: nothing there */
            if (r == -ENOENT || r == -EPROTONOSUPPORT || r == -EAFNOSUPPORT) {
                *ret = brig_xcalloc(1, sizeof(char *));
                return 0;
            }
            return brig_err_sys(err, -r, "nftables: list the chains of bridge %s", table);
        }
        *ret = v;
        return 0;
    }
}

int brig_nfnl_commit(const struct brig_buf *batch, unsigned nmsgs, struct brig_err *err)
{
    _cleanup_close_ int fd = nfnl_socket(err);
    if (fd < 0)
        return -1;
    if (send_all(fd, batch, err) < 0)
        return -1;
    _cleanup_free_ char *buf = brig_xmalloc(RECV_BUF);
    int first_error = 0;
    for (unsigned acks = 0; acks < nmsgs;) {
        ssize_t n = recv(fd, buf, RECV_BUF, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return brig_err_sys(err, n < 0 ? errno : EIO, "nftables: receive");
        size_t off = 0;
        for (const struct nlmsghdr *h; (h = msg_next(buf, (size_t)n, &off));) {
            if (h->nlmsg_type != NLMSG_ERROR)
                continue;
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct nlmsgerr)))
                return brig_err_set(err, BRIG_EFAIL, "nftables: a malformed answer");
            const struct nlmsgerr *e = msg_data(h);
            acks++;
            if (e->error < 0 && !first_error)
                first_error = -e->error;
        }
        /* the transaction failed as a whole: the kernel answers only the failed messages */
        if (first_error) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            if (poll(&pfd, 1, 0) <= 0)
                break;
        }
    }
    if (first_error)
        return brig_err_sys(err, first_error, "nftables: transaction");
    return 0;
}
