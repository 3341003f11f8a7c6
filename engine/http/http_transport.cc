#include "http/http_transport.h"

namespace mg {

HttpTransport::~HttpTransport() = default;

}  // namespace mg
