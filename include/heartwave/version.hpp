#pragma once

namespace heartwave {
inline constexpr const char* kVersion = "0.1.0";
}
