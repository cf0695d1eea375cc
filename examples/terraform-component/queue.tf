# A component of a service the organisation allows beyond tables and buckets: the schema change queue. Each
# environment is its own account, so the names need no environment.
#
# The stack files declare it for this repository (deploys.resources.sqs: bbws-schema-changes-*) and list `sqs` in
# cicd-foundation:deployableServices, so this repository's deployer may manage exactly the queues whose names
# match, and find queues (sqs:ListQueues); it cannot touch another repository's queues or the foundation's
# resources. A name outside the pattern fails at apply with AccessDenied: rename the queue or change the
# declaration in the foundation's stack files.
#
# A service whose ARNs carry ids rather than names (a VPC, a CloudFront distribution) is declared under
# deploys.tagged instead; its resources must then carry the foundation's repository tag, as in
# `tags = { "cicd-foundation:repository" = "<this repository's name>" }` (docs/workloads.md of cicd-foundation).
# prefix: bbws (cicd-foundation:prefix of the foundation's stack files; npm run examples writes it into the queue names below)

resource "aws_sqs_queue" "schema_changes_dlq" {
  name                      = "bbws-schema-changes-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
}

resource "aws_sqs_queue" "schema_changes" {
  name                       = "bbws-schema-changes-queue"
  visibility_timeout_seconds = 60
  sqs_managed_sse_enabled    = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.schema_changes_dlq.arn
    maxReceiveCount     = 5
  })
}

output "schema_changes_queue_url" {
  value = aws_sqs_queue.schema_changes.url
}
