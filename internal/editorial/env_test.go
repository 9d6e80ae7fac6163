package editorial_test

import (
	"os"

	"masthead/internal/store/storetest"
)

func envPostgres() bool { return os.Getenv(storetest.EnvPostgres) != "" }
