variable "runtime" {
  type    = string
  default = "python3.12"
}

variable "stage" {
  type    = string
  default = "dev"
}

locals {
  prefix = "notes-${var.stage}"
}
