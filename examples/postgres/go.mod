module github.com/stripegate/stripegate/examples/postgres

go 1.25.0

require (
	github.com/jackc/pgx/v5 v5.13.0
	github.com/stripegate/stripegate v0.0.0-00010101000000-000000000000
	github.com/stripegate/stripegate/pgstore v0.0.0-00010101000000-000000000000
)

require (
	github.com/go-json-experiment/json v0.0.0-20251027170946-4849db3c2f7e // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	golang.org/x/sync v0.22.0 // indirect
	golang.org/x/text v0.41.0 // indirect
)

replace (
	github.com/stripegate/stripegate => ../..
	github.com/stripegate/stripegate/pgstore => ../../pgstore
)
