// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {EventTicketNFT, IEventCompletionHook} from "./EventTicketNFT.sol";

/// @title PaymentProcessor
/// @notice Sells tickets for ETH and holds the money in escrow until the event completes. At
/// completion the organizer is credited the price minus the platform fee plus the stakes of
/// no-shows; holders of checked-in tickets claim their stake back. Cancelled events refund in full.
contract PaymentProcessor is Ownable2Step, Pausable, ReentrancyGuard, IEventCompletionHook {
    enum PaymentStatus {
        None,
        Confirmed,
        Refunded
    }

    struct Payment {
        address buyer;
        uint256 eventId;
        uint256 amount;
        PaymentStatus status;
        uint256[] tokenIds;
    }

    struct EventSales {
        uint256 stakeBps;
        /// @dev Price plus stake of every confirmed, unrefunded sale, held until completion.
        uint256 escrowed;
        uint256 paidTickets;
        bool settled;
    }

    uint256 public constant PLATFORM_FEE_BPS = 500;
    uint256 public constant MAX_STAKE_BPS = 10_000;
    uint256 public constant MAX_TICKETS_PER_PURCHASE = 10;

    EventTicketNFT public immutable tickets;
    uint256 public paymentCount;
    uint256 public platformFees;
    /// @notice Stakes of checked-in tickets of completed events not yet claimed.
    uint256 public unclaimedStakes;

    mapping(bytes32 => Payment) private _payments;
    mapping(uint256 => EventSales) public eventSales;
    mapping(address => uint256) public organizerBalance;
    /// @notice Stake paid with each ticket sold here; zero once claimed or refunded.
    mapping(uint256 => uint256) public ticketStake;

    event PaymentReceived(bytes32 indexed paymentId, uint256 indexed eventId, address indexed buyer, uint256 amount);
    event PaymentConfirmed(bytes32 indexed paymentId);
    event Refund(bytes32 indexed paymentId, address indexed buyer, uint256 amount);
    event EventStakeSet(uint256 indexed eventId, uint256 stakeBps);
    event EventSettled(
        uint256 indexed eventId, address indexed organizer, uint256 organizerAmount, uint256 platformFee, uint256 stakesHeld
    );
    event EarningsWithdrawn(address indexed organizer, uint256 amount);
    event StakeClaimed(uint256 indexed tokenId, uint256 indexed eventId, address indexed holder, uint256 amount);
    event StakeForfeited(uint256 indexed eventId, address indexed organizer, uint256 noShows, uint256 amount);
    event PlatformFeesWithdrawn(address indexed to, uint256 amount);

    error InvalidQuantity(uint256 quantity);
    error UriCountMismatch(uint256 uris, uint256 quantity);
    error IncorrectPayment(uint256 sent, uint256 required);
    error EventNotActive(uint256 eventId);
    error EventNotCancelled(uint256 eventId);
    error EventNotCompleted(uint256 eventId);
    error NotOrganizerOrOwner(address caller);
    error StakeTooHigh(uint256 stakeBps);
    error SalesAlreadyStarted(uint256 eventId);
    error PaymentNotFound(bytes32 paymentId);
    error NotBuyer(address caller);
    error AlreadyRefunded(bytes32 paymentId);
    error NotTicketContract(address caller);
    error AlreadySettled(uint256 eventId);
    error NothingToWithdraw();
    error NotTicketHolder(address caller);
    error TicketNotCheckedIn(uint256 tokenId);
    error NoStake(uint256 tokenId);

    constructor(address initialOwner, EventTicketNFT tickets_) Ownable(initialOwner) {
        tickets = tickets_;
    }

    // ---------------------------------------------------------------- buyers

    function purchaseTickets(uint256 eventId, uint256 quantity, string[] calldata tokenURIs)
        external
        payable
        nonReentrant
        whenNotPaused
        returns (bytes32 paymentId)
    {
        if (quantity == 0 || quantity > MAX_TICKETS_PER_PURCHASE) revert InvalidQuantity(quantity);
        if (tokenURIs.length != quantity) revert UriCountMismatch(tokenURIs.length, quantity);
        EventTicketNFT.EventInfo memory e = tickets.getEvent(eventId);
        if (e.status != EventTicketNFT.EventStatus.Active) revert EventNotActive(eventId);
        EventSales storage s = eventSales[eventId];
        uint256 stake = stakePerTicket(e.price, s.stakeBps);
        uint256 required = (e.price + stake) * quantity;
        if (msg.value != required) revert IncorrectPayment(msg.value, required);

        // A counter, not the timestamp: two purchases in one block get distinct ids.
        paymentId = keccak256(abi.encode(block.chainid, address(this), ++paymentCount));
        s.escrowed += required;
        s.paidTickets += quantity;
        emit PaymentReceived(paymentId, eventId, msg.sender, required);

        uint256[] memory tokenIds = tickets.mintTickets(eventId, msg.sender, tokenURIs);
        if (stake != 0) {
            for (uint256 i; i < quantity; ++i) {
                ticketStake[tokenIds[i]] = stake;
            }
        }
        _payments[paymentId] = Payment(msg.sender, eventId, required, PaymentStatus.Confirmed, tokenIds);
        emit PaymentConfirmed(paymentId);
    }

    /// @notice Price and stake back for a cancelled event; the payment's tickets are burned.
    function refund(bytes32 paymentId) external nonReentrant whenNotPaused {
        Payment storage p = _payments[paymentId];
        if (p.status == PaymentStatus.None) revert PaymentNotFound(paymentId);
        if (p.buyer != msg.sender) revert NotBuyer(msg.sender);
        if (p.status == PaymentStatus.Refunded) revert AlreadyRefunded(paymentId);
        if (tickets.getEvent(p.eventId).status != EventTicketNFT.EventStatus.Cancelled) {
            revert EventNotCancelled(p.eventId);
        }
        p.status = PaymentStatus.Refunded;
        EventSales storage s = eventSales[p.eventId];
        s.escrowed -= p.amount;
        s.paidTickets -= p.tokenIds.length;
        uint256 amount = p.amount;
        emit Refund(paymentId, msg.sender, amount);
        for (uint256 i; i < p.tokenIds.length; ++i) {
            ticketStake[p.tokenIds[i]] = 0;
            tickets.burn(p.tokenIds[i]);
        }
        Address.sendValue(payable(msg.sender), amount);
    }

    function claimStake(uint256 tokenId) external nonReentrant whenNotPaused {
        if (tickets.ownerOf(tokenId) != msg.sender) revert NotTicketHolder(msg.sender);
        uint256 eventId = tickets.ticketEvent(tokenId);
        if (tickets.getEvent(eventId).status != EventTicketNFT.EventStatus.Completed) revert EventNotCompleted(eventId);
        if (!tickets.checkedIn(tokenId)) revert TicketNotCheckedIn(tokenId);
        uint256 amount = ticketStake[tokenId];
        if (amount == 0) revert NoStake(tokenId);
        ticketStake[tokenId] = 0;
        unclaimedStakes -= amount;
        emit StakeClaimed(tokenId, eventId, msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    // ---------------------------------------------------------------- organizers and platform

    /// @notice Before the first ticket is sold (comp tickets included), so every ticket of an event carries the same stake.
    function setEventStake(uint256 eventId, uint256 stakeBps) external whenNotPaused {
        EventTicketNFT.EventInfo memory e = tickets.getEvent(eventId);
        if (e.status != EventTicketNFT.EventStatus.Active) revert EventNotActive(eventId);
        if (msg.sender != e.organizer && msg.sender != owner()) revert NotOrganizerOrOwner(msg.sender);
        if (e.sold != 0) revert SalesAlreadyStarted(eventId);
        if (stakeBps > MAX_STAKE_BPS) revert StakeTooHigh(stakeBps);
        eventSales[eventId].stakeBps = stakeBps;
        emit EventStakeSet(eventId, stakeBps);
    }

    /// @notice Called by the ticket contract in the same transaction that completes an event.
    function onEventCompleted(uint256 eventId) external {
        if (msg.sender != address(tickets)) revert NotTicketContract(msg.sender);
        EventSales storage s = eventSales[eventId];
        if (s.settled) revert AlreadySettled(eventId);
        s.settled = true;
        EventTicketNFT.EventInfo memory e = tickets.getEvent(eventId);

        uint256 stake = stakePerTicket(e.price, s.stakeBps);
        uint256 revenue = s.escrowed - stake * s.paidTickets;
        uint256 fee = revenue * PLATFORM_FEE_BPS / 10_000;
        uint256 noShows = s.paidTickets - e.paidCheckedIn;
        uint256 forfeited = stake * noShows;
        uint256 stakesHeld = stake * e.paidCheckedIn;
        s.escrowed = 0;

        platformFees += fee;
        organizerBalance[e.organizer] += revenue - fee + forfeited;
        unclaimedStakes += stakesHeld;
        emit EventSettled(eventId, e.organizer, revenue - fee, fee, stakesHeld);
        if (forfeited != 0) emit StakeForfeited(eventId, e.organizer, noShows, forfeited);
    }

    function withdrawEarnings() external nonReentrant whenNotPaused {
        uint256 amount = organizerBalance[msg.sender];
        if (amount == 0) revert NothingToWithdraw();
        organizerBalance[msg.sender] = 0;
        emit EarningsWithdrawn(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    /// @notice Sends the accrued platform fees to the owner.
    function withdrawPlatformFees() external onlyOwner nonReentrant {
        uint256 amount = platformFees;
        if (amount == 0) revert NothingToWithdraw();
        platformFees = 0;
        emit PlatformFeesWithdrawn(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    // ---------------------------------------------------------------- views

    function getPayment(bytes32 paymentId) external view returns (Payment memory) {
        return _payments[paymentId];
    }

    function stakePerTicket(uint256 price, uint256 stakeBps) public pure returns (uint256) {
        return price * stakeBps / 10_000;
    }

    /// @notice What the holder of `tokenId` could claim right now.
    function claimableStake(uint256 tokenId) external view returns (uint256) {
        uint256 eventId = tickets.ticketEvent(tokenId);
        if (tickets.getEvent(eventId).status != EventTicketNFT.EventStatus.Completed) return 0;
        if (!tickets.checkedIn(tokenId)) return 0;
        return ticketStake[tokenId];
    }
}
