// SPDX-License-Identifier: GPL-2.0
/*
 * The Call-ID of a SIP message, found as IPVS's SIP persistence engine
 * finds it (through the conntrack SIP helper's header parser), so that xvs
 * and ip_vs group the same datagrams into the same calls, quirks included:
 * a header found with an unparsable value restarts the search further on;
 * a body after the blank line is searched like the headers.
 */
#include "xvs_shim.h"
#include "xvs_pe_sip.h"

/* Character classes of the kernel's ctype table (Latin-1 letters count). */
static bool sip_isalpha(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c >= 0xc0 && c != 0xd7 && c != 0xf7;
}

static bool sip_isalnum(unsigned char c)
{
	return sip_isalpha(c) || (c >= '0' && c <= '9');
}

static bool sip_eol(char c)
{
	return c == '\r' || c == '\n';
}

static bool sip_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* The characters of a SIP "word" (RFC 3261 word, plus a few extras). */
static bool sip_wordc(unsigned char c)
{
	if (sip_isalnum(c))
		return true;
	switch (c) {
	case '!': case '"': case '%': case '\'': case ':': case '<':
	case '>': case '?': case '_': case '`': case '{': case '}': case '~':
		return true;
	}
	return (c >= '(' && c <= '+') || (c >= '-' && c <= '/') ||
	       (c >= '[' && c <= ']');
}

static size_t sip_word_len(const char *msg, size_t pos, size_t len)
{
	size_t start = pos;

	while (pos < len && sip_wordc(msg[pos]))
		pos++;
	return pos - start;
}

/* A Call-ID value: word, or word@word; 0 when it is neither. */
static size_t sip_callid_value_len(const char *msg, size_t pos, size_t len)
{
	size_t local = sip_word_len(msg, pos, len), host;

	if (!local || pos + local == len || msg[pos + local] != '@')
		return local;
	host = sip_word_len(msg, pos + local + 1, len);
	return host ? local + 1 + host : 0;
}

static bool sip_prefix_nocase(const char *msg, size_t pos, size_t len,
			      const char *word, size_t wlen)
{
	size_t i;

	if (len - pos < wlen)
		return false;
	for (i = 0; i < wlen; i++) {
		char c = msg[pos + i];

		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		if (c != word[i])
			return false;
	}
	return true;
}

/*
 * @pos is on a line terminator: the position after it and the blanks of a
 * continuation line, or len when the next line is not a continuation.
 */
static size_t sip_continuation(const char *msg, size_t pos, size_t len)
{
	if (++pos >= len)
		return len;
	if (msg[pos - 1] == '\r' && msg[pos] == '\n' && ++pos >= len)
		return len;
	if (!sip_blank(msg[pos]))
		return len;
	while (pos < len && sip_blank(msg[pos]))
		pos++;
	return pos;
}

/* Skips blanks and at most one line continuation; len when at the end. */
static size_t sip_skip_space(const char *msg, size_t pos, size_t len)
{
	for (; pos < len; pos++) {
		if (sip_blank(msg[pos]))
			continue;
		if (sip_eol(msg[pos]))
			pos = sip_continuation(msg, pos, len);
		break;
	}
	return pos;
}

enum sip_hdr_result { SIP_HDR_NONE, SIP_HDR_FOUND, SIP_HDR_BAD_VALUE };

/*
 * One search for the header from @from.  FOUND and BAD_VALUE set *off
 * (BAD_VALUE: where the value should have started).
 */
static enum sip_hdr_result sip_find_callid(const char *msg, size_t from,
					   size_t len, size_t *off,
					   size_t *vlen)
{
	size_t pos;

	for (pos = from; pos < len; pos++) {
		/* Headers start right after a line terminator. */
		if (!sip_eol(msg[pos]))
			continue;
		if (++pos >= len)
			break;
		if (msg[pos - 1] == '\r' && msg[pos] == '\n' && ++pos >= len)
			break;
		if (sip_blank(msg[pos]))
			continue;	/* continuation line */

		if (sip_prefix_nocase(msg, pos, len, "call-id", 7))
			pos += 7;
		else if (len - pos >= 2 && sip_prefix_nocase(msg, pos, len, "i", 1) &&
			 !sip_isalpha(msg[pos + 1]))
			pos += 1;	/* compact form, not a longer name */
		else
			continue;

		pos = sip_skip_space(msg, pos, len);
		if (pos >= len || msg[pos] != ':' || ++pos >= len)
			break;
		pos = sip_skip_space(msg, pos, len);
		if (pos >= len)
			break;

		*off = pos;
		*vlen = sip_callid_value_len(msg, pos, len);
		return *vlen ? SIP_HDR_FOUND : SIP_HDR_BAD_VALUE;
	}
	return SIP_HDR_NONE;
}

bool xvs_sip_callid(const char *msg, size_t len, size_t *off, size_t *cid_len)
{
	size_t from = 0, at = 0, vlen = 0;

	for (;;) {
		enum sip_hdr_result r = sip_find_callid(msg, from, len, &at,
							&vlen);

		if (r == SIP_HDR_FOUND)
			break;
		if (r == SIP_HDR_NONE)
			return false;
		/*
		 * As IPVS: the next search starts the value's offset further
		 * on than this one started (not at the value itself).
		 */
		from += at;
	}
	if (vlen > XVS_PE_DATA_MAXLEN)
		return false;
	/* The value ends its line. */
	if (at + vlen == len || !sip_eol(msg[at + vlen]))
		return false;
	*off = at;
	*cid_len = vlen;
	return true;
}
