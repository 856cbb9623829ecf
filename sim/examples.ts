/**
 * The response bodies printed on the API reference pages, as raw JSON text exactly as documented
 * (integer IDs such as `pricingPlanId` stay bare numbers, 19-digit IDs stay quoted). Kept as text, not
 * objects, so a parser under test sees the same bytes the real API would send.
 */

/** page 000 (instance_product_list, productId 13). */
export const EXAMPLE_INSTANCE_LIST = `{
    "code": "success",
    "detailMessage": "",
    "requestId": "7cced72314a6172c8810cffbea3a2335",
    "result": {
        "count": 2,
        "pageNo": 1,
        "pageSize": 25,
        "results": [
            {
                "activationCode": "EQQI-CFKS-KSKW-EFFP-KQE6",
                "activationStatus": "activated",
                "comment": "",
                "createTime": null,
                "currentPlan": "",
                "currentPlanExpireDate": null,
                "customerEmail": "",
                "endUserInfo": null,
                "model": "",
                "nextPlan": "",
                "nextPlanExpireDate": null,
                "nextPlanStartDate": null,
                "partnerEmail": "example@outlook.com",
                "planAutoRenewal": 0,
                "planExpireDate": 1730345636000,
                "planId": "3048572026291630080",
                "planName": "Ultimate Plan",
                "planStatus": "trialing",
                "productAdminEmail": "admin@testmail.com",
                "productNo": "3658B4311196UZ4A",
                "quantity": "5",
                "referrer": "",
                "serviceList": [],
                "url": "docs.test.yeastarcloud.com",
                "yeastarId": "test@mailtest.com"
            },
            {
                "activationStatus": "activated",
                "comment": "",
                "createTime": 1704854634000,
                "currentPlan": "Ultimate Plan",
                "currentPlanExpireDate": 1736390176000,
                "customerEmail": "",
                "endUserInfo": {
                    "address": "Customer Address.",
                    "companyName": "PCE Customer Test Company",
                    "contactName": "PCE Customer Test",
                    "email": "customer@test.com"
                },
                "model": "",
                "nextPlan": "Enterprise Plan",
                "nextPlanExpireDate": 1767926176000,
                "nextPlanStartDate": 1736390177000,
                "partnerEmail": "example@outlook.com",
                "planAutoRenewal": 0,
                "planExpireDate": 1736390176000,
                "planId": "3048572026291630080",
                "planName": "Ultimate Plan",
                "planStatus": "switching",
                "productAdminEmail": "docs@yeastar.com",
                "productNo": "3658B4311196WEFY",
                "quantity": "20",
                "referrer": "",
                "serviceList": [
                    {
                        "quantity": "100",
                        "serviceAutoRenewal": 0,
                        "serviceExpireDate": 1713421999000,
                        "serviceId": "3048573759449317376",
                        "serviceName": "Recording Minutes",
                        "serviceStatus": "switching"
                    }
                ],
                "url": "docstest.test3.yeastarcloud.com",
                "yeastarId": "example@outlook.com"
            }
        ],
        "total": 2,
        "totalPage": 1
    },
    "status": 200
}`;

/** page 001 (product_list). */
export const EXAMPLE_PRODUCT_LIST = `{
    "code": "success",
    "detailMessage": "",
    "requestId": "706be51dd6dfaa311ea2931c47081763",
    "result": [
        {
            "name": "P-Series Cloud Edition",
            "productId": 13
        },
        {
            "name": "P-Series Plan for Appliance Edition",
            "productId": 11
        },
        {
            "name": "P-Series Software Edition",
            "productId": 12
        },
        {
            "name": "Linkus Cloud Service",
            "productId": 9
        }
    ],
    "status": 200
}`;

/** page 002 (purchase_product_info, productId 12); re-indented, tokens unchanged. */
export const EXAMPLE_PURCHASE_PRODUCT_INFO = `{
    "code": "success",
    "detailMessage": "",
    "requestId": "16908a8861bdc64af5cfd9567ed57ebd",
    "result": {
        "offeringId": "3049039276655034368",
        "productName": "Software PBX (PSE Self-hosted)",
        "quPurchaseInfo": {
            "purchasePlanInfoList": [
                {
                    "name": "Enterprise Plan",
                    "planId": "3049040650094403584",
                    "pricingPlanId": 15438,
                    "purchasePricingInfoList": [
                        {
                            "cycle": "annually",
                            "purchaseType": [
                                "renew"
                            ]
                        }
                    ],
                    "trialPeriod": 30,
                    "trialPrice": 0.00
                },
                {
                    "name": "Ultimate Plan",
                    "planId": "3049041101760282624",
                    "pricingPlanId": 15439,
                    "purchasePricingInfoList": [
                        {
                            "cycle": "annually",
                            "purchaseType": [
                                "trial",
                                "switch"
                            ]
                        }
                    ],
                    "trialPeriod": 30,
                    "trialPrice": 0
                }
            ],
            "purchaseServiceInfoList": [
                {
                    "isConnect": true,
                    "name": "Extension Expansion",
                    "pricingServiceId": 22983,
                    "purchasePricingInfoList": [
                        {
                            "cycle": "annually",
                            "purchaseType": [
                                "purchase"
                            ]
                        }
                    ],
                    "serviceId": "3049060579827040256",
                    "trialPeriod": null,
                    "trialPrice": 0.00
                },
                {
                    "isConnect": true,
                    "name": "Hot Standby",
                    "pricingServiceId": 22984,
                    "purchasePricingInfoList": [],
                    "serviceId": "3049060920480022528",
                    "trialPeriod": 30,
                    "trialPrice": 0.00
                },
                {
                    "isConnect": true,
                    "name": "Maintenance",
                    "pricingServiceId": 22985,
                    "purchasePricingInfoList": [
                        {
                            "cycle": "once",
                            "purchaseType": [
                                "purchase"
                            ]
                        },
                        {
                            "cycle": "annually",
                            "purchaseType": [
                                "purchase"
                            ]
                        }
                    ],
                    "serviceId": "3111639376985194496",
                    "trialPeriod": null,
                    "trialPrice": 0.00
                },
                {
                    "isConnect": true,
                    "name": "Outbound Call Center",
                    "pricingServiceId": 57551,
                    "purchasePricingInfoList": [],
                    "serviceId": "3302296213345505280",
                    "trialPeriod": null,
                    "trialPrice": null
                },
                {
                    "isConnect": true,
                    "name": "PMS",
                    "pricingServiceId": 22986,
                    "purchasePricingInfoList": [
                        {
                            "cycle": "annually",
                            "purchaseType": [
                                "purchase",
                                "trial"
                            ]
                        }
                    ],
                    "serviceId": "3115983610256539648",
                    "trialPeriod": 30,
                    "trialPrice": 0.00
                }
            ]
        }
    },
    "status": 200
}`;

/** page 003 (renew/add_on_info/27946, productId 11). */
export const EXAMPLE_ADD_ON_INFO = `{
    "code": "success",
    "detailMessage": "",
    "requestId": "bcd5d88e5e0fa7b09296df663b9d6db1",
    "result": {
        "billingCycleList": [
            "annually"
        ],
        "billingModelList": [
            "recurring"
        ],
        "connectionServiceList": [],
        "name": "Hotel PMS Integration",
        "pricingServiceId": 27946,
        "purchaseMultiCycleList": [],
        "purchaseParameter": "",
        "purchaseParameterId": null,
        "serviceId": "3116037397465776128",
        "unitName": ""
    },
    "status": 200
}`;

/** page 004 (activation_code, productId 12). */
export const EXAMPLE_ACTIVATION_CODE = `{
    "code": "success",
    "detailMessage": "",
    "requestId": "3390ad5230998289d07660b4745b9a89",
    "result": {
        "code": "su71kZxxxxxxx0dbctakLMtNcNjIsSBbb6V1EqpuYyVvBuL0hlaUcJ0wTmZU2EczUpcYA/XlGJOSN0d6bOZrU+AUlCYUsTkgfjEd=",
        "generateTime": 1701927971000
    },
    "status": 200
}`;
