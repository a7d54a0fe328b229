package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

type handler struct {
	ddb *dynamodb.Client
}

func (h *handler) lookup(ctx context.Context, name string) error {
	stmt := "SELECT * FROM Users WHERE name = '" + strings.TrimSpace(name) + "'"
	// ruleid: INJ005
	_, err := h.ddb.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(stmt)})
	return err
}

func (h *handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	name := req.PathParameters["name"]
	if err := h.lookup(ctx, name); err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: 500}, err
	}
	// ok: INJ005
	_, err := h.ddb.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{
		Statement:  aws.String("SELECT * FROM Users WHERE name = ?"),
		Parameters: []types.AttributeValue{&types.AttributeValueMemberS{Value: name}},
	})
	if err != nil {
		return events.APIGatewayV2HTTPResponse{StatusCode: 500}, err
	}
	// ruleid: INJ005
	h.ddb.ExecuteStatement(ctx, &dynamodb.ExecuteStatementInput{Statement: aws.String(fmt.Sprintf("DELETE FROM Users WHERE name = '%s'", name))})
	return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
}

func main() {
	cfg, _ := config.LoadDefaultConfig(context.Background())
	h := &handler{ddb: dynamodb.NewFromConfig(cfg)}
	lambda.Start(h.Handle)
}
