module github.com/corskit/cors/examples/websocket

go 1.25.0

require (
	github.com/coder/websocket v1.8.15
	github.com/corskit/cors v0.0.0-20261207213431-1265d84fba1e
	github.com/gorilla/websocket v1.5.3
)

require (
	golang.org/x/net v0.58.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)
