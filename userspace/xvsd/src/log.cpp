#include "log.hpp"

#include <cerrno>
#include <ctime>

#include "xvs/error.hpp"

namespace xvsd {

Logger::~Logger()
{
	if (file_)
		std::fclose(file_);
}

void Logger::open_file(const std::string &path)
{
	std::lock_guard g(mu_);
	std::FILE *f = std::fopen(path.c_str(), "ae");
	if (!f)
		throw xvs::Error(errno, "cannot open log file " + path);
	if (file_)
		std::fclose(file_);
	file_ = f;
}

void Logger::info(const std::string &msg)
{
	char stamp[64];
	std::time_t t = std::time(nullptr);
	std::tm tm{};
	localtime_r(&t, &tm);
	std::strftime(stamp, sizeof(stamp), "%a %b %e %H:%M:%S %Y", &tm);
	std::lock_guard g(mu_);
	if (!quiet_) {
		std::fprintf(stderr, "[%s|%s] %s\n", stamp, tag_.c_str(), msg.c_str());
		std::fflush(stderr);
	}
	if (file_) {
		std::fprintf(file_, "[%s|%s] %s\n", stamp, tag_.c_str(), msg.c_str());
		std::fflush(file_);
	}
}

} // namespace xvsd
