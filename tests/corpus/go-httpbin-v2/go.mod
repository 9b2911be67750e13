module github.com/example/go-httpbin/v2

go 1.22
