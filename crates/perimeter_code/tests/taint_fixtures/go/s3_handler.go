package main

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

var db *sql.DB

func convert(key string) error {
	// ruleid: INJ001
	cmd := exec.Command("sh", "-c", "convert /tmp/"+key+" /tmp/out.png")
	// ok: INJ001
	safe := exec.Command("convert", "/tmp/"+key, "/tmp/out.png")
	_ = safe
	return cmd.Run()
}

func handleS3(ctx context.Context, event events.S3Event) error {
	for _, record := range event.Records {
		key := record.S3.Object.Key
		if err := convert(key); err != nil {
			return err
		}
		// ruleid: INJ006
		f, err := os.Open(filepath.Join("/tmp", key))
		if err != nil {
			return err
		}
		defer f.Close()
		// ok: INJ006
		g, _ := os.Open(filepath.Join("/tmp", filepath.Base(key)))
		defer g.Close()
		query := fmt.Sprintf("INSERT INTO uploads (key) VALUES ('%s')", key)
		// ruleid: INJ004
		if _, err := db.Exec(query); err != nil {
			return err
		}
		// ok: INJ004
		db.Exec("INSERT INTO uploads (key) VALUES ($1)", key)
		size, _ := strconv.Atoi(record.S3.Object.URLDecodedKey)
		// ok: INJ004
		db.Query(fmt.Sprintf("SELECT * FROM uploads LIMIT %d", size))
		// ruleid: INJ007
		resp, err := http.Get(record.S3.Object.URLDecodedKey)
		if err == nil {
			resp.Body.Close()
		}
		// ok: INJ007
		http.Get("https://status.example.com/ping")
	}
	return nil
}

func main() {
	lambda.Start(handleS3)
}
