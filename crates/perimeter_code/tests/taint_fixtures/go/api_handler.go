package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"net/http"
	"os/exec"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type Request struct {
	Host string `json:"host"`
	URL  string `json:"url"`
}

func Handler(ctx context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	var body Request
	if err := json.Unmarshal([]byte(req.Body), &body); err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 400}, nil
	}
	// ruleid: INJ001
	out, _ := exec.Command("bash", "-c", "ping -c 1 "+body.Host).Output()
	// ok: INJ001
	exec.Command("ping", "-c", "1", body.Host).Run()
	target := req.QueryStringParameters["target"]
	// ruleid: INJ007
	r, err := http.NewRequest("GET", target, nil)
	if err != nil {
		return events.APIGatewayProxyResponse{StatusCode: 500}, err
	}
	_ = r
	// ruleid: INJ007
	http.Post(body.URL, "application/json", nil)
	base := os.Getenv("API_BASE")
	// ok: INJ007
	http.Get(fmt.Sprintf("%s/hosts/%s", base, body.Host))
	// ruleid: INJ007
	http.Get(fmt.Sprintf("http://%s/status", body.Host))
	return events.APIGatewayProxyResponse{StatusCode: 200, Body: string(out)}, nil
}

func main() {
	lambda.Start(Handler)
}
