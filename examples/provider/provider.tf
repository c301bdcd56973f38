# Use a cloud from clouds.yaml, as `openstack --os-cloud mycloud` does.
provider "nova" {
  cloud = "mycloud"
}

# Or name every setting; each falls back to its OS_* variable, so an
# `openrc` file sourced in the shell configures the provider with no
# arguments at all.
provider "nova" {
  alias = "explicit"

  auth_url            = "https://keystone.example.com:5000/v3"
  region              = "RegionOne"
  user_name           = "deployer"
  password            = var.openstack_password
  tenant_name         = "web"
  user_domain_name    = "Default"
  project_domain_name = "Default"
}

variable "openstack_password" {
  type      = string
  sensitive = true
}
