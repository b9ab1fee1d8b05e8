module github.com/corskit/cors/examples/chi

go 1.25.0

require (
	github.com/corskit/cors v0.0.0-20261207213431-1265d84fba1e
	github.com/go-chi/chi/v5 v5.5.0
)

require (
	golang.org/x/net v0.58.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
