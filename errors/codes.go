package errors

// Helpers named after the HTTP status codes that services use most.

// BadRequest returns an error with code 400 (Bad Request).
func BadRequest(reason, message string) *Error {
	return New(400, reason, message)
}

// IsBadRequest reports whether [Code] of err is 400 (Bad Request).
func IsBadRequest(err error) bool {
	return Code(err) == 400
}

// Unauthorized returns an error with code 401 (Unauthorized).
func Unauthorized(reason, message string) *Error {
	return New(401, reason, message)
}

// IsUnauthorized reports whether [Code] of err is 401 (Unauthorized).
func IsUnauthorized(err error) bool {
	return Code(err) == 401
}

// Forbidden returns an error with code 403 (Forbidden).
func Forbidden(reason, message string) *Error {
	return New(403, reason, message)
}

// IsForbidden reports whether [Code] of err is 403 (Forbidden).
func IsForbidden(err error) bool {
	return Code(err) == 403
}

// NotFound returns an error with code 404 (Not Found).
func NotFound(reason, message string) *Error {
	return New(404, reason, message)
}

// IsNotFound reports whether [Code] of err is 404 (Not Found).
func IsNotFound(err error) bool {
	return Code(err) == 404
}

// Conflict returns an error with code 409 (Conflict).
func Conflict(reason, message string) *Error {
	return New(409, reason, message)
}

// IsConflict reports whether [Code] of err is 409 (Conflict).
func IsConflict(err error) bool {
	return Code(err) == 409
}

// TooManyRequests returns an error with code 429 (Too Many Requests), which
// travels over gRPC as codes.ResourceExhausted.
//
// Added in Kratos v3; the same name and signature here, on the v2 API.
func TooManyRequests(reason, message string) *Error {
	return New(429, reason, message)
}

// IsTooManyRequests reports whether [Code] of err is 429 (Too Many
// Requests); a gRPC codes.ResourceExhausted status counts as 429.
//
// Added in Kratos v3; the same name and signature here, on the v2 API.
func IsTooManyRequests(err error) bool {
	return Code(err) == 429
}

// InternalServer returns an error with code 500 (Internal Server Error).
func InternalServer(reason, message string) *Error {
	return New(500, reason, message)
}

// IsInternalServer reports whether [Code] of err is 500 (Internal Server Error).
func IsInternalServer(err error) bool {
	return Code(err) == 500
}

// ServiceUnavailable returns an error with code 503 (Service Unavailable).
func ServiceUnavailable(reason, message string) *Error {
	return New(503, reason, message)
}

// IsServiceUnavailable reports whether [Code] of err is 503 (Service Unavailable).
func IsServiceUnavailable(err error) bool {
	return Code(err) == 503
}

// GatewayTimeout returns an error with code 504 (Gateway Timeout).
func GatewayTimeout(reason, message string) *Error {
	return New(504, reason, message)
}

// IsGatewayTimeout reports whether [Code] of err is 504 (Gateway Timeout).
func IsGatewayTimeout(err error) bool {
	return Code(err) == 504
}

// ClientClosed returns an error with code 499 (Client Closed Request: the caller canceled).
func ClientClosed(reason, message string) *Error {
	return New(499, reason, message)
}

// IsClientClosed reports whether [Code] of err is 499 (Client Closed Request: the caller canceled).
func IsClientClosed(err error) bool {
	return Code(err) == 499
}
