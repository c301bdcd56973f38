terraform {
  required_providers {
    nova = {
      source = "terraform-provider-nova/nova"
    }
  }
}
