# A keypair is imported by its name.
terraform import nova_keypair.deployer example-deployer
