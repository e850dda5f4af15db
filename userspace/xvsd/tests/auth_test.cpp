// Signature methods against published vectors (CRC-32 check value, RFC 2202
// HMAC-MD5 / HMAC-SHA1 and RFC 4231 HMAC-SHA256 test case 2).
#include <gtest/gtest.h>

#include "auth.hpp"

using namespace xvsd;

static AuthKey key(AuthKey::Method m, const std::string &secret)
{
	AuthKey k;
	k.index = 1;
	k.method = m;
	k.secret = secret;
	return k;
}

TEST(Auth, Crc32CheckValue)
{
	EXPECT_EQ(crc32("123456789"), 0xcbf43926u);
	EXPECT_EQ(sign(key(AuthKey::Method::Crc, ""), "123456789"), "cbf43926");
}

TEST(Auth, HmacVectors)
{
	const std::string data = "what do ya want for nothing?";
	EXPECT_EQ(sign(key(AuthKey::Method::Md5, "Jefe"), data), "750c783e6ab0b503eaa86e310a5db738");
	EXPECT_EQ(sign(key(AuthKey::Method::Sha1, "Jefe"), data),
		  "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	EXPECT_EQ(sign(key(AuthKey::Method::Sha256, "Jefe"), data),
		  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Auth, VerifyRejectsTampering)
{
	auto k = key(AuthKey::Method::Sha256, "secret");
	std::string d = sign(k, "payload");
	EXPECT_TRUE(verify(k, "payload", d));
	EXPECT_FALSE(verify(k, "payloaD", d));
	EXPECT_FALSE(verify(key(AuthKey::Method::Sha256, "Secret"), "payload", d));
	EXPECT_FALSE(verify(k, "payload", d.substr(1)));
}
