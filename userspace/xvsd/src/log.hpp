// xvsd: log lines "[Sun Nov 22 03:20:01 2026|xvsd] message" on stderr and,
// when configured, appended to a file.  Shared by the daemon's threads.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>

namespace xvsd {

class Logger {
public:
	explicit Logger(std::string tag = "xvsd") : tag_(std::move(tag)) {}
	Logger(const Logger &) = delete;
	Logger &operator=(const Logger &) = delete;
	~Logger();

	void open_file(const std::string &path);	// throws xvs::Error
	void info(const std::string &msg);
	void set_quiet(bool q) { quiet_ = q; }	// tests: no stderr

private:
	std::mutex mu_;
	std::string tag_;
	std::FILE *file_ = nullptr;
	bool quiet_ = false;
};

} // namespace xvsd
