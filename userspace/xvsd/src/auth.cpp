#include "auth.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

#include <array>
#include <cerrno>

#include "xvs/error.hpp"

namespace xvsd {

std::uint32_t crc32(std::string_view data)
{
	static const auto table = [] {
		std::array<std::uint32_t, 256> t{};
		for (std::uint32_t i = 0; i < 256; i++) {
			std::uint32_t c = i;
			for (int k = 0; k < 8; k++)
				c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
			t[i] = c;
		}
		return t;
	}();
	std::uint32_t c = 0xffffffffu;
	for (unsigned char b : data)
		c = table[(c ^ b) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static std::string hex(const unsigned char *p, std::size_t n)
{
	static const char digits[] = "0123456789abcdef";
	std::string s;
	s.reserve(n * 2);
	for (std::size_t i = 0; i < n; i++) {
		s += digits[p[i] >> 4];
		s += digits[p[i] & 15];
	}
	return s;
}

std::string sign(const AuthKey &key, std::string_view data)
{
	const EVP_MD *md = nullptr;
	switch (key.method) {
	case AuthKey::Method::Crc: {
		std::uint32_t c = crc32(data);
		unsigned char b[4] = {static_cast<unsigned char>(c >> 24),
				      static_cast<unsigned char>(c >> 16),
				      static_cast<unsigned char>(c >> 8),
				      static_cast<unsigned char>(c)};
		return hex(b, 4);
	}
	case AuthKey::Method::Md5: md = EVP_md5(); break;
	case AuthKey::Method::Sha1: md = EVP_sha1(); break;
	case AuthKey::Method::Sha256: md = EVP_sha256(); break;
	}
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (!HMAC(md, key.secret.data(), static_cast<int>(key.secret.size()),
		  reinterpret_cast<const unsigned char *>(data.data()), data.size(), out, &len))
		throw xvs::Error(EIO, "HMAC failed");
	return hex(out, len);
}

bool verify(const AuthKey &key, std::string_view data, std::string_view digest)
{
	std::string want = sign(key, data);
	return want.size() == digest.size() &&
	       CRYPTO_memcmp(want.data(), digest.data(), want.size()) == 0;
}

} // namespace xvsd
