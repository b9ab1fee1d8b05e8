module github.com/corskit/cors/bench

go 1.25.0

require (
	github.com/corskit/cors v0.0.0-20261207213431-1265d84fba1e
	github.com/go-chi/cors v1.2.2
	github.com/gorilla/handlers v1.5.2
	github.com/rs/cors v1.11.1
)

require (
	github.com/felixge/httpsnoop v1.0.3 // indirect
	golang.org/x/net v0.58.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
