# Starts the machine's PostgreSQL cluster when it is not running, waits until
# it accepts connections on 127.0.0.1:5432, and makes sure the database
# "test" exists. Sourced by .ci/run.

start_postgres() {
	if ! command -v pg_ctlcluster >/dev/null; then
		echo "ci: pg_ctlcluster not found; install PostgreSQL (apt-get install postgresql)" >&2
		return 1
	fi

	if ! pg_isready -q -h 127.0.0.1 -p 5432; then
		local version
		version=$(ls /etc/postgresql | sort -V | tail -n 1)
		pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
	fi

	for _ in $(seq 1 30); do
		pg_isready -q -h 127.0.0.1 -p 5432 && break
		sleep 1
	done
	if ! pg_isready -h 127.0.0.1 -p 5432; then
		echo "ci: PostgreSQL does not accept connections on 127.0.0.1:5432" >&2
		return 1
	fi

	if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1; then
		psql -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE test"
	fi
	psql -h 127.0.0.1 -U postgres -d test -tAc "SELECT version()"
}
