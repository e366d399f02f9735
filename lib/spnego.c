/*
 * spnego: one gss_accept_sec_context per request, with the acceptor's
 * credential taken from the configured keytab (see spnego.h).
 */
#include "spnego.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sso.h"

/* GSS-API's words for a status, major then minor, into why. */
static void describe(OM_uint32 major, OM_uint32 minor, char *why, size_t whylen)
{
	size_t pos = 0;
	why[0] = '\0';
	for (int pass = 0; pass < 2; pass++) {
		OM_uint32 code = pass == 0 ? major : minor, ctx = 0, m;
		if (code == 0)
			continue;
		do {
			gss_buffer_desc msg = GSS_C_EMPTY_BUFFER;
			if (GSS_ERROR(gss_display_status(
			        &m, code, pass == 0 ? GSS_C_GSS_CODE : GSS_C_MECH_CODE,
			        GSS_C_NO_OID, &ctx, &msg)))
				break;
			int n = snprintf(why + pos, whylen - pos, "%s%.*s", pos ? "; " : "",
			                 (int)msg.length, (const char *)msg.value);
			gss_release_buffer(&m, &msg);
			if (n < 0 || (size_t)n >= whylen - pos)
				return;
			pos += (size_t)n;
		} while (ctx != 0);
	}
}

enum spnego_result spnego_accept(const char *keytab, const unsigned char *tok, size_t len,
                                 char *principal, struct buf *reply, char *why, size_t whylen)
{
	OM_uint32 major, minor, m;
	gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_name_t client = GSS_C_NO_NAME;
	gss_buffer_desc in = { .length = len, .value = (void *)tok };
	gss_buffer_desc out = GSS_C_EMPTY_BUFFER, name = GSS_C_EMPTY_BUFFER;
	enum spnego_result rc = SPNEGO_REFUSED;

	principal[0] = '\0';
	why[0] = '\0';
	if (keytab == NULL || keytab[0] == '\0') {
		snprintf(why, whylen, "no keytab configured (PORTAL_KRB5_KEYTAB)");
		return SPNEGO_ERROR;
	}
	gss_key_value_element_desc kv = { .key = "keytab", .value = keytab };
	gss_key_value_set_desc store = { .count = 1, .elements = &kv };
	major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
	                              GSS_C_ACCEPT, &store, &cred, NULL, NULL);
	if (GSS_ERROR(major)) {
		describe(major, minor, why, whylen);
		return SPNEGO_ERROR;
	}

	major = gss_accept_sec_context(&minor, &ctx, cred, &in, GSS_C_NO_CHANNEL_BINDINGS, &client,
	                               NULL, &out, NULL, NULL, NULL);
	if (major == GSS_S_CONTINUE_NEEDED) {
		/* A second round (NTLM, say) would need state between requests. */
		snprintf(why, whylen, "the exchange needs more than one step (not Kerberos)");
		goto done;
	}
	if (GSS_ERROR(major)) {
		describe(major, minor, why, whylen);
		/* A keytab without the key the ticket is for is the server's
		 * problem, not the client's: say so in the log, answer alike. */
		goto done;
	}
	major = gss_display_name(&minor, client, &name, NULL);
	if (GSS_ERROR(major)) {
		describe(major, minor, why, whylen);
		goto done;
	}
	if (name.length == 0 || name.length >= SPNEGO_PRINCIPAL_MAX ||
	    memchr(name.value, '\0', name.length) != NULL) {
		snprintf(why, whylen, "the client's name is empty, too long or holds a NUL byte");
		goto done;
	}
	memcpy(principal, name.value, name.length);
	principal[name.length] = '\0';
	if (out.length > 0) {
		char *b64 = malloc(SSO_B64_LEN(out.length));
		if (b64 == NULL) {
			snprintf(why, whylen, "out of memory");
			principal[0] = '\0';
			rc = SPNEGO_ERROR;
			goto done;
		}
		sso_b64_encode(out.value, out.length, b64);
		buf_puts(reply, b64);
		free(b64);
	}
	rc = SPNEGO_OK;
done:
	gss_release_buffer(&m, &name);
	gss_release_buffer(&m, &out);
	if (client != GSS_C_NO_NAME)
		gss_release_name(&m, &client);
	if (ctx != GSS_C_NO_CONTEXT)
		gss_delete_sec_context(&m, &ctx, GSS_C_NO_BUFFER);
	gss_release_cred(&m, &cred);
	return rc;
}
