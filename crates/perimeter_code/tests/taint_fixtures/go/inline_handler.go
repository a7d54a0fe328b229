package main

import (
	"context"
	"os"
	"os/exec"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func main() {
	lambda.Start(func(ctx context.Context, event events.SQSEvent) error {
		for _, message := range event.Records {
			// ruleid: INJ001
			if err := exec.CommandContext(ctx, "/bin/sh", "-c", "process "+message.Body).Run(); err != nil {
				return err
			}
			// ruleid: INJ006
			data, err := os.ReadFile("/mnt/efs/" + message.MessageAttributes["file"].StringValue)
			if err != nil {
				return err
			}
			_ = data
			// ok: INJ006
			os.ReadFile("/mnt/efs/config.json")
		}
		return nil
	})
}
