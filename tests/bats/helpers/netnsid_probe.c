/* Run inside a VNET jail: try to reach the host's network namespace through
 * rtnetlink's netnsid attributes, as a hostile jail root would. Dumping the
 * jail's own links makes the kernel give the veth peer's namespace (the
 * host's) an nsid; with IFLA_TARGET_NETNSID a request then names that
 * namespace. Prints one line per attempt and exits 0 when every attempt was
 * refused, 1 when any reached the host.
 * Usage: netnsid_probe BRIDGE [list]  (list: only try to list the host's links) */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef IFLA_TARGET_NETNSID
#define IFLA_TARGET_NETNSID IFLA_IF_NETNSID
#endif

static int sock;
static unsigned seq = 1;

struct req {
    struct nlmsghdr nh;
    struct ifinfomsg ifi;
    char attrs[512];
};

static void add_attr(struct req *r, unsigned short type, const void *data, size_t len)
{
    struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
    a->rta_type = type;
    a->rta_len = (unsigned short)RTA_LENGTH(len);
    if (len)
        memcpy(RTA_DATA(a), data, len);
    r->nh.nlmsg_len = NLMSG_ALIGN(r->nh.nlmsg_len) + RTA_ALIGN(a->rta_len);
}

static struct rtattr *nest_start(struct req *r, unsigned short type)
{
    struct rtattr *a = (struct rtattr *)((char *)r + NLMSG_ALIGN(r->nh.nlmsg_len));
    add_attr(r, type, NULL, 0);
    return a;
}

static void nest_end(struct req *r, struct rtattr *a)
{
    a->rta_len = (unsigned short)((char *)r + r->nh.nlmsg_len - (char *)a);
}

static void init_req(struct req *r, unsigned short type, unsigned short flags)
{
    memset(r, 0, sizeof(*r));
    r->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
    r->nh.nlmsg_type = type;
    r->nh.nlmsg_flags = NLM_F_REQUEST | flags;
    r->nh.nlmsg_seq = seq++;
    r->ifi.ifi_family = AF_UNSPEC;
}

/* Send r; count the links a dump returns (and the first peer nsid seen), or
 * return the negative errno of an ack. */
static int talk(struct req *r, int *links, int *peer_nsid)
{
    if (send(sock, r, r->nh.nlmsg_len, 0) < 0)
        return -errno;
    char buf[32768];
    for (;;) {
        ssize_t n = recv(sock, buf, sizeof(buf), 0);
        if (n < 0)
            return -errno;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (unsigned)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE)
                return 0;
            if (h->nlmsg_type == NLMSG_ERROR)
                return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
            if (h->nlmsg_type != RTM_NEWLINK)
                continue;
            if (links)
                (*links)++;
            struct ifinfomsg *ifi = NLMSG_DATA(h);
            int len = (int)(h->nlmsg_len - NLMSG_LENGTH(sizeof(*ifi)));
            for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
                if (a->rta_type == IFLA_LINK_NETNSID && peer_nsid && *peer_nsid < 0)
                    *peer_nsid = *(int *)RTA_DATA(a);
            if (!(r->nh.nlmsg_flags & NLM_F_DUMP))
                return 0;
        }
    }
}

int main(int argc, char **argv)
{
    const char *bridge = argc > 1 ? argv[1] : "brig0";
    sock = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (sock < 0) {
        perror("socket");
        return 2;
    }
    struct req r;
    int nsid = -1, own = 0;
    init_req(&r, RTM_GETLINK, NLM_F_DUMP);
    if (talk(&r, &own, &nsid) < 0 || nsid < 0) {
        printf("no peer nsid (own links %d)\n", own);
        return 0;
    }
    int reached = 0, links = 0, rc;

    init_req(&r, RTM_GETLINK, NLM_F_DUMP);
    add_attr(&r, IFLA_TARGET_NETNSID, &nsid, sizeof(nsid));
    rc = talk(&r, &links, NULL);
    printf("list host links: %s (%d)\n", rc < 0 ? strerror(-rc) : "ok", links);
    reached |= rc == 0 && links > 0;
    if (argc > 2 && strcmp(argv[2], "list") == 0) {
        printf(reached ? "REACHED the host\n" : "refused\n");
        return reached ? 1 : 0;
    }

    init_req(&r, RTM_DELLINK, NLM_F_ACK);
    add_attr(&r, IFLA_TARGET_NETNSID, &nsid, sizeof(nsid));
    add_attr(&r, IFLA_IFNAME, bridge, strlen(bridge) + 1);
    rc = talk(&r, NULL, NULL);
    printf("delete %s: %s\n", bridge, rc < 0 ? strerror(-rc) : "ok");
    reached |= rc == 0;

    init_req(&r, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    add_attr(&r, IFLA_TARGET_NETNSID, &nsid, sizeof(nsid));
    add_attr(&r, IFLA_IFNAME, "probe0", 7);
    struct rtattr *li = nest_start(&r, IFLA_LINKINFO);
    add_attr(&r, IFLA_INFO_KIND, "dummy", 6);
    nest_end(&r, li);
    rc = talk(&r, NULL, NULL);
    printf("create a link there: %s\n", rc < 0 ? strerror(-rc) : "ok");
    reached |= rc == 0;

    /* the host's bridge moved into the jail's own namespace (that of its pid 1) */
    init_req(&r, RTM_NEWLINK, NLM_F_ACK);
    add_attr(&r, IFLA_TARGET_NETNSID, &nsid, sizeof(nsid));
    add_attr(&r, IFLA_IFNAME, bridge, strlen(bridge) + 1);
    add_attr(&r, IFLA_NET_NS_PID, &(int){1}, sizeof(int));
    rc = talk(&r, NULL, NULL);
    printf("move %s into the jail: %s\n", bridge, rc < 0 ? strerror(-rc) : "ok");
    reached |= rc == 0;

    printf(reached ? "REACHED the host\n" : "refused\n");
    return reached ? 1 : 0;
}
