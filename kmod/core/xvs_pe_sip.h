/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Portable part of the SIP persistence engine (kmod/pe_sip.c): finding the
 * Call-ID of a SIP message.  No kernel headers, so the host unit tests can
 * feed it arbitrary bytes.
 */
#ifndef XVS_PE_SIP_H
#define XVS_PE_SIP_H

#include "xvs_shim.h"

/* Longest persistence data (a Call-ID) a template can carry, as IPVS. */
#define XVS_PE_DATA_MAXLEN	255

/*
 * Finds the Call-ID of the SIP request or reply in @msg (a UDP payload of
 * @len bytes) the way IPVS's SIP engine does: the first "Call-ID:" (any
 * case) or compact "i:" header at the start of a line after the first one,
 * whitespace and continuation lines allowed around the colon, whose value
 * is a word or word@word of SIP token characters.  A header whose value
 * does not parse is skipped.  The value must be at most
 * XVS_PE_DATA_MAXLEN bytes and be followed by CR or LF.
 * Returns true and the value's offset and length, or false.
 */
bool xvs_sip_callid(const char *msg, size_t len, size_t *off, size_t *cid_len);

#endif /* XVS_PE_SIP_H */
