# Notes, a small note-taking backend. DELIBERATELY VULNERABLE: every planted flaw is marked
# "# VULN: <what> (<expected code>)" on the line the scanner should point at.

data "archive_file" "code" {
  type        = "zip"
  source_dir  = "${path.module}/src"
  output_path = "${path.module}/build/code.zip"
}

resource "aws_iam_role" "api" {
  name = "${local.prefix}-api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "lambda.amazonaws.com" }
    }]
  })
}

resource "aws_iam_role_policy" "api" {
  name   = "api"
  role   = aws_iam_role.api.id
  policy = data.aws_iam_policy_document.api.json
}

data "aws_iam_policy_document" "api" {
  statement {
    actions   = ["dynamodb:*"] # VULN: dynamodb:* on the table, more than the code uses (IAM001, IAM012)
    resources = [aws_dynamodb_table.notes.arn]
  }
}

resource "aws_dynamodb_table" "notes" {
  name         = "${local.prefix}-notes"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "id"
  attribute {
    name = "id"
    type = "S"
  }
}

resource "aws_lambda_function" "api" { # VULN: tracing off, no code signing, public without reserved concurrency (DOW001, LOG002, SIGN001)
  function_name    = "${local.prefix}-api"
  filename         = data.archive_file.code.output_path
  source_code_hash = data.archive_file.code.output_base64sha256
  handler          = "handler.handler"
  runtime          = var.runtime
  role             = aws_iam_role.api.arn
  timeout          = 10

  environment {
    variables = {
      TABLE = aws_dynamodb_table.notes.name
    }
  }
}

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/lambda/${aws_lambda_function.api.function_name}"
  retention_in_days = 30
}

resource "aws_apigatewayv2_api" "http" { # VULN: HTTP API without access logs (LOG003)
  name          = "${local.prefix}-http"
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "api" {
  api_id                 = aws_apigatewayv2_api.http.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.api.invoke_arn
  payload_format_version = "2.0"
}

resource "aws_apigatewayv2_route" "list" { # VULN: unauthenticated route (AUTH001)
  api_id    = aws_apigatewayv2_api.http.id
  route_key = "GET /notes"
  target    = "integrations/${aws_apigatewayv2_integration.api.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.http.id
  name        = "$default"
  auto_deploy = true
}

resource "aws_lambda_permission" "apigw" {
  statement_id  = "AllowAPIGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.api.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.http.execution_arn}/*/*"
}

resource "aws_iam_role" "export" {
  name               = "${local.prefix}-export"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "sts:AssumeRole",
      "Principal": {"Service": "lambda.amazonaws.com"}
    }
  ]
}
EOF
}

resource "aws_iam_role_policy_attachment" "export_admin" {
  role       = aws_iam_role.export.name
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess" # VULN: AdministratorAccess attached to a function role (IAM003)
}

resource "aws_lambda_function" "export" { # VULN: no log retention, tracing off, no code signing, public without reserved concurrency (DOW001, LOG001, LOG002, SIGN001)
  function_name = "${local.prefix}-export"
  filename      = data.archive_file.code.output_path
  handler       = "handler.handler"
  runtime       = "nodejs14.x" # VULN: deprecated runtime (DEP001)
  role          = aws_iam_role.export.arn
  timeout       = 900 # VULN: 15-minute timeout on a public function URL (DOW002)

  environment {
    variables = {
      PARTNER_ACCESS_KEY_ID = "AKIA4HQX7ZP2LMNR5TUV" # VULN: AWS access key id in plain text (SEC001)
    }
  }
}

resource "aws_lambda_function_url" "export" {
  function_name      = aws_lambda_function.export.function_name
  authorization_type = "NONE" # VULN: function URL anyone can call (AUTH002)
  cors {
    allow_origins = ["*"] # VULN: any origin on a public URL (AUTH005)
  }
}

resource "aws_sqs_queue" "jobs" {
  name = "${local.prefix}-jobs"
}

resource "aws_lambda_event_source_mapping" "jobs" {
  event_source_arn = aws_sqs_queue.jobs.arn
  function_name    = aws_lambda_function.export.arn
}
