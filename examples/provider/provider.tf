# A cloud from clouds.yaml, as `openstack --os-cloud mycloud` uses it.
provider "nova" {
  cloud = "mycloud"
}

# Password authentication. Every setting falls back to its OS_* variable,
# so a sourced openrc file configures the provider with no arguments.
provider "nova" {
  alias = "password"

  auth_url            = "https://keystone.example.com:5000/v3"
  region              = "RegionOne"
  user_name           = "deployer"
  password            = var.openstack_password
  tenant_name         = "web"
  user_domain_name    = "Default"
  project_domain_name = "Default"
}

# An application credential: no password in the configuration, and the
# credential can be limited to what Terraform needs.
provider "nova" {
  alias = "appcred"

  auth_url                      = "https://keystone.example.com:5000/v3"
  application_credential_id     = "4b1f1c6e2a8c4f0e9d6b1c2a3e4f5a6b"
  application_credential_secret = var.application_credential_secret
}

# An old cloud whose catalog lacks a usable compute endpoint, through a
# legacy /v2 endpoint (no microversions), with a longer retry budget for a
# rate-limited API.
provider "nova" {
  alias = "legacy"

  cloud = "oldcloud"
  endpoint_overrides = {
    compute = "https://nova.old.example.com:8774/v2/%(project_id)s"
  }
  max_retries = 10
}

variable "openstack_password" {
  type      = string
  sensitive = true
}

variable "application_credential_secret" {
  type      = string
  sensitive = true
}
