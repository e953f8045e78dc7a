/* MAC addresses: stable derived MACs for jail NICs, parsing and formatting. */
#ifndef BRIG_MAC_H
#define BRIG_MAC_H

#include <stdint.h>

#include "err.h"

/* "xx:xx:xx:xx:xx:xx" and the NUL. */
#define BRIG_MAC_STRLEN 18

/* Derive a stable, locally administered, unicast MAC from the node name, jail name and
 * NIC index (SHA-256 of the three), so the same NIC gets the same MAC on every start. */
void brig_mac_derive(const char *nodename, const char *jname, int nic_idx, uint8_t out[6]);
/* Format mac as lower-case "xx:xx:xx:xx:xx:xx" into buf; returns buf. */
char *brig_mac_format(const uint8_t mac[6], char buf[BRIG_MAC_STRLEN]);
/* Parse "xx:xx:xx:xx:xx:xx" (either case); a multicast MAC is refused. */
int brig_mac_parse(const char *s, uint8_t out[6], struct brig_err *err);

#endif
