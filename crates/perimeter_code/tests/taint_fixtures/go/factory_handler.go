package main

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/jackc/pgx/v5/pgxpool"
)

type services struct {
	pool *pgxpool.Pool
}

type queryBody struct {
	SQL   string `json:"sql"`
	Limit int    `json:"limit"`
}

func parseRequest(body string) (queryBody, error) {
	var parsed queryBody
	err := json.Unmarshal([]byte(body), &parsed)
	return parsed, err
}

func handler(s services) func(context.Context, events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	return func(ctx context.Context, e events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
		request, err := parseRequest(e.Body)
		if err != nil {
			return events.APIGatewayProxyResponse{StatusCode: 400}, nil
		}
		// ruleid: INJ004
		if _, err := s.pool.Exec(ctx, request.SQL); err != nil {
			return events.APIGatewayProxyResponse{StatusCode: 500}, err
		}
		// ok: INJ004
		s.pool.Exec(ctx, "UPDATE stats SET queries = queries + 1")
		return events.APIGatewayProxyResponse{StatusCode: 200}, nil
	}
}

func main() {
	lambda.Start(handler(services{}))
}
